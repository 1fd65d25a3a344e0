//! Keys that would leave the resource they name once they are a path segment (`.`, `..`,
//! their percent-encodings, the empty key), from the provider, the command line, the ledger
//! or a manifest: kensa sends nothing to such a path. And config var names that change how
//! programs load or start: `kensa run` never exports them.

use kensa_e2e::hostile_keys::{KeysProvider, addons_api, loader_config};
use kensa_e2e::{Kensa, Outcome, check, messages, write_json};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const DOT_KEYS: [&str; 3] = ["..", ".", "%2e%2e"];
const UUID: &str = "01234567-89ab-4def-8123-0123456789ab";

/// A folder with `manifest` as its addon-manifest.json.
fn folder_with(manifest: &Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("addon-manifest.json");
    write_json(&path, manifest);
    (dir, path)
}

fn ledger_entries(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(".kensa-resources.json")).unwrap_or_default();
    serde_json::from_str::<Value>(&text)
        .map(|ledger| ledger["resources"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default()
}

/// A provision answered with a dot-segment id fails R01, and no later call (plan change,
/// deprovision, their retries by id, the clean-up) goes anywhere but to a uuid kensa sent,
/// in v3 and in v1 (where the id is the key of every later call).
#[test]
fn a_provider_id_that_is_a_dot_segment_fails_r01_and_never_becomes_a_path() {
    for v1 in [false, true] {
        for id in DOT_KEYS {
            // 404 by uuid: the answer that makes kensa try the provider's id instead.
            let provider = KeysProvider::start(json!(id), json!({"MYADDON_URL": "https://db.example.com/1"}), 404);
            let (dir, manifest) = folder_with(&provider.manifest(v1));
            let run = Kensa::new(dir.path()).arg("test").arg("-f").arg(&manifest).args(["--format", "json"]).run();
            let context = format!("v1: {v1}, id {id:?}\n{}", run.describe());
            assert_eq!(provider.stray_requests(), Vec::<String>::new(), "v1: {v1}, id {id:?}");
            assert_eq!(run.code, Some(1), "{context}");
            let report = run.report();
            let r01 = check(&report, "R01");
            assert_eq!(r01.outcome, Outcome::Failed, "{context}");
            assert!(messages(r01).contains("path segment"), "{}\n{context}", messages(r01));
        }
    }
}

/// The resource a provision with an unusable id made (v3) stays in the ledger by its uuid
/// when the clean-up fails, and `kensa resources --cleanup` removes it by that uuid.
#[test]
fn a_resource_with_an_unusable_id_stays_in_the_ledger_by_its_uuid() {
    let provider = KeysProvider::start(json!(".."), json!({}), 500);
    let (dir, manifest) = folder_with(&provider.manifest(false));
    let run = Kensa::new(dir.path()).arg("test").arg("provision").arg("-f").arg(&manifest).run();
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let uuid = provider.provisioned_uuids()[0].clone();
    let entries = ledger_entries(dir.path());
    assert_eq!(entries.len(), 1, "{entries:#?}\n{}", run.describe());
    assert_eq!(entries[0]["uuid"], uuid, "{entries:#?}");
    assert_ne!(entries[0]["id"], "..", "{entries:#?}");

    provider.answer_by_uuid(204);
    let cleanup = Kensa::new(dir.path()).args(["resources", "--cleanup", "-f"]).arg(&manifest).run();
    assert_eq!(cleanup.code, Some(0), "{}", cleanup.describe());
    assert!(ledger_entries(dir.path()).is_empty(), "{}", cleanup.describe());
    assert!(
        provider.requests().iter().any(|request| request.method == "DELETE" && request.path.ends_with(&uuid)),
        "{}",
        cleanup.describe()
    );
    assert_eq!(provider.stray_requests(), Vec::<String>::new());
}

/// A further provision (v3, another uuid) answered without a usable id is still removed,
/// by its uuid, and leaves nothing in the ledger.
#[test]
fn an_extra_resource_without_a_usable_id_is_removed_by_its_uuid() {
    for second in [json!(".."), Value::Null] {
        let provider = KeysProvider::with_ids("myaddon", vec![json!("res-1"), second.clone()], json!({}), 204);
        let (dir, manifest) = folder_with(&provider.manifest(false));
        let run = Kensa::new(dir.path()).arg("test").arg("provision").arg("-f").arg(&manifest).run();
        assert_eq!(run.code, Some(1), "{}", run.describe());
        // The first provision, the repeat (same uuid) and the other uuid: D02's.
        let answered = provider.answered_uuids();
        let other = answered.last().unwrap();
        assert_ne!(other, &answered[0]);
        let deleted =
            provider.requests().iter().any(|request| request.method == "DELETE" && request.path.ends_with(other));
        assert!(deleted, "id {second}: no DELETE of {other}\n{}", run.describe());
        let entries = ledger_entries(dir.path());
        assert_eq!(entries.len(), 1, "id {second}: {entries:#?}");
        assert_eq!(entries[0]["id"], "res-1");
        assert_eq!(provider.stray_requests(), Vec::<String>::new());
    }
}

/// A dot-segment or empty KEY, `--id` or `--uuid` on the command line is refused before
/// anything is sent (exit 2).
#[test]
fn a_dot_segment_key_on_the_command_line_is_refused() {
    let provider = KeysProvider::start(json!("res-1"), json!({"MYADDON_URL": "https://db.example.com/1"}), 200);
    let (dir, manifest) = folder_with(&provider.manifest(false));
    let lines: [&[&str]; 8] = [
        &["test", "deprovision", ".."],
        &["test", "deprovision", ""],
        &["test", "deprovision", "--uuid", "."],
        &["test", "deprovision", "--uuid", UUID, "--id", "%2e%2e"],
        &["test", "planchange", "..", "premium"],
        &["test", "sso", ".%2E"],
        &["sso", "--no-browser", "--id", ".."],
        &["sso", "--no-browser", "%252e%252e"],
    ];
    for line in lines {
        let run = Kensa::new(dir.path()).args(line).arg("-f").arg(&manifest).run();
        assert_eq!(run.code, Some(2), "{}", run.describe());
        assert!(run.stderr.contains("path segment"), "{}", run.describe());
        assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    }
    assert_eq!(provider.requests().len(), 0, "{:#?}", provider.requests());
}

/// A ledger entry whose id or uuid is a dot segment is refused, with the file and the entry
/// named, and nothing is sent on its behalf.
#[test]
fn a_ledger_entry_with_a_dot_segment_key_is_refused() {
    for (uuid, id) in [(UUID, ".."), (".", "res-1"), (UUID, "")] {
        let provider = KeysProvider::start(json!("res-1"), json!({}), 404);
        let (dir, manifest) = folder_with(&provider.manifest(false));
        let entry = json!({
            "uuid": uuid, "id": id, "plan": "test", "manifest_id": "myaddon", "environment": "test",
            "created_at": "2026-11-29T12:00:00Z", "command": "kensa test provision",
        });
        write_json(&dir.path().join(".kensa-resources.json"), &json!({"resources": [entry]}));
        for line in [
            &["test", "deprovision"][..],
            &["test", "planchange", "premium"],
            &["resources", "--cleanup"],
            &["resources"],
        ] {
            let run = Kensa::new(dir.path()).args(line).arg("-f").arg(&manifest).run();
            let context = format!("uuid {uuid:?}, id {id:?}\n{}", run.describe());
            assert_ne!(run.code, Some(0), "{context}");
            assert!(run.stderr.contains(".kensa-resources.json"), "{context}");
            assert!(run.stderr.contains("resources[0]"), "{context}");
            assert!(run.stderr.contains("path segment"), "{context}");
            assert_eq!(provider.stray_requests(), Vec::<String>::new(), "{context}");
        }
        // The refused file is kept as it was, for the user to fix.
        assert_eq!(ledger_entries(dir.path()).len(), 1);
    }
}

/// `kensa pull`, `manifests` and `diff` refuse a dot-segment add-on slug (from the command
/// line or the manifest) before asking the add-ons API anything.
#[test]
fn a_dot_segment_addon_slug_is_refused() {
    let api = addons_api();
    let (dir, _) = folder_with(&json!({"id": "..", "api": {}}));
    for line in [&["pull", "..", "--force"][..], &["pull", "%2E"], &["manifests", "."], &["manifests"], &["diff"]] {
        let run = Kensa::new(dir.path())
            .args(line)
            .env("HEROKU_API_KEY", "kensa-test-token")
            .env("HEROKU_ADDONS_HOST", api.origin())
            .run();
        assert_eq!(run.code, Some(2), "{}", run.describe());
        assert!(run.stderr.contains("path segment"), "{}", run.describe());
    }
    assert_eq!(api.requests().len(), 0, "{:#?}", api.requests());
}

/// A manifest may not declare a name that changes how programs start, even one its prefix
/// allows (`LD_PRELOAD` for add-on `ld`): `kensa run` stops at the manifest and the command
/// never gets the provider's `LD_PRELOAD`, `BASH_ENV` or `PATH`.
#[test]
fn a_declared_ld_preload_fails_the_manifest_and_is_never_exported() {
    let mut config = loader_config();
    config["LD_URL"] = json!("https://db.example.com/1");
    let provider = KeysProvider::for_addon("ld", json!("res-1"), config, 200);
    let mut manifest = provider.manifest(false);
    manifest["api"]["config_vars"] = json!(["LD_URL", "LD_PRELOAD"]);
    let (dir, path) = folder_with(&manifest);
    let run = Kensa::new(dir.path()).args(["run", "-f"]).arg(&path).args(["--", "env"]).run();
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(run.stdout.contains("LD_PRELOAD"), "the manifest check names it\n{}", run.describe());
    assert!(!run.stdout.contains("/kensa-hostile") && !run.stderr.contains("/kensa-hostile"), "{}", run.describe());
}

/// Undeclared names that change how programs start are left out with the reason on stderr;
/// the declared var is exported.
#[test]
fn kensa_run_says_why_it_leaves_out_loader_variables() {
    let provider = KeysProvider::start(json!("res-1"), loader_config(), 200);
    let (dir, path) = folder_with(&provider.manifest(false));
    let run = Kensa::new(dir.path()).args(["run", "-f"]).arg(&path).args(["--", "env"]).run();
    // R05 fails: the provider returned names the manifest does not declare.
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(run.stderr.contains("MYADDON_URL=https://db.example.com/1"), "{}", run.describe());
    assert!(!run.stderr.contains("=/kensa-hostile"), "{}", run.describe());
    let warning = run.stderr.lines().find(|line| line.starts_with("warning: not exporting")).unwrap_or_default();
    for name in ["LD_PRELOAD", "BASH_ENV", "PATH"] {
        assert!(warning.contains(name), "{}", run.describe());
    }
    assert!(warning.contains("how programs load or start"), "{}", run.describe());
}
