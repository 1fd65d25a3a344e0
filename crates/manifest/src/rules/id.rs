//! `Testing manifest id key`: the add-on's slug.

use super::{Checker, known_top_level_key, missing_key_hint};
use crate::check::Finding;
use crate::kind_of;
use crate::names::{is_slug, slug};
use crate::references::MANIFEST_ARTICLE;
use serde_json::Value;

crate::checks! {
    ID_PRESENT {
        code: "M02",
        name: "manifest/id-present",
        group: IdKey,
        label: "if exists",
        summary: "The manifest has an `id`, the add-on's slug.",
        why: "The id is the add-on's slug: users type it in `heroku addons:create`, and Heroku sends it as the \
              Basic auth username on every provisioning call.",
        example: "`id` is missing",
        fix: "Add `\"id\": \"myaddon\"` at the top level, with your add-on's slug.",
        reference: MANIFEST_ARTICLE,
    }
    ID_STRING {
        code: "M03",
        name: "manifest/id-string",
        group: IdKey,
        label: "is a string",
        summary: "`id` is a string.",
        why: "Heroku uses the id as a slug in commands and as a username, and both are strings.",
        example: "`id` must be a string, found a number",
        fix: "Quote the id: `\"id\": \"myaddon\"`.",
        reference: MANIFEST_ARTICLE,
    }
    ID_NOT_BLANK {
        code: "M04",
        name: "manifest/id-not-blank",
        group: IdKey,
        label: "is not blank",
        summary: "`id` is not empty or whitespace.",
        why: "A blank id gives users nothing to type in `heroku addons:create` and Heroku no username to \
              authenticate with.",
        example: "`id` is blank",
        fix: "Set `id` to your add-on's slug.",
        reference: MANIFEST_ARTICLE,
    }
    ID_CHARSET {
        code: "M05",
        name: "manifest/id-charset",
        group: IdKey,
        label: "uses only lower-case letters, digits and dashes",
        summary: "`id` is a slug: lower-case letters, digits and dashes, starting with a letter.",
        why: "The id appears in CLI commands and URLs and cannot change after the first push, so Heroku allows \
              only lower-case letters, digits and dashes.",
        example: "`My Addon` is not a valid add-on id",
        fix: "Use a slug such as `my-addon`; kensa's hint suggests one made from the current id.",
        reference: MANIFEST_ARTICLE,
    }
}

impl Checker<'_> {
    pub(super) fn check_id(&mut self) {
        let Some(id) = self.root().get("id") else {
            let hint = missing_key_hint(self.root(), "id", known_top_level_key);
            self.check(&ID_PRESENT, Some(Finding::error_at("/id", "`id` is missing").hint(hint)));
            self.skip(&[&ID_STRING, &ID_NOT_BLANK, &ID_CHARSET], "`id` is missing");
            return;
        };
        self.check(&ID_PRESENT, None);
        let Value::String(id) = id else {
            let message = format!("`id` must be a string, found {}", kind_of(id));
            self.check(&ID_STRING, Some(Finding::error_at("/id", message)));
            self.skip(&[&ID_NOT_BLANK, &ID_CHARSET], "`id` is not a string");
            return;
        };
        self.check(&ID_STRING, None);
        if id.trim().is_empty() {
            self.check(&ID_NOT_BLANK, Some(Finding::error_at("/id", "`id` is blank")));
            self.skip(&[&ID_CHARSET], "`id` is blank");
            return;
        }
        self.check(&ID_NOT_BLANK, None);
        let finding = (!is_slug(id)).then(|| {
            let suggestion = slug(id);
            Finding::error_at("/id", format!("`{id}` is not a valid add-on id"))
                .hint(Some(format!("use lower-case letters, digits and dashes, such as `{suggestion}`")))
        });
        self.check(&ID_CHARSET, finding);
    }
}
