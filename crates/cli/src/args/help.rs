//! The help clap cannot derive: `kensa test --help`'s list of tests, and the texts after
//! the options.

use super::heroku_timeout_secs;

pub(super) const TEST_KEYS: &str = "\
Each test checks the manifest first. KEY is either key of a resource kensa provisioned
(Heroku's uuid or your service's id: `kensa resources` lists them); without KEY, the newest
one. --id and --uuid name a resource kensa did not make. A key that is `.`, `..` (however
percent-encoded) or empty is refused. The options below go anywhere.";

/// One entry per test: `kensa test NAME` with its own arguments, then its description.
pub(super) fn test_list(test: &clap::Command) -> String {
    let mut list = String::new();
    for suite in test.get_subcommands().filter(|suite| !suite.is_hide_set()) {
        let mut line = format!("  kensa test {}", suite.get_name());
        for arg in suite.get_arguments().filter(|arg| !arg.is_hide_set() && arg.get_id() != "help") {
            let names: Vec<String> =
                arg.get_value_names().map(|names| names.iter().map(ToString::to_string).collect()).unwrap_or_default();
            let value = names.first().cloned();
            let shown = match (arg.get_long(), value) {
                (Some(long), Some(value)) if arg.get_action().takes_values() => format!("--{long} <{value}>"),
                (Some(long), _) => format!("--{long}"),
                // `[KEY] PLAN`: the first values of a positional that takes fewer than it names
                // are the optional ones.
                (None, _) if names.len() > 1 => {
                    let least = arg.get_num_args().map_or(names.len(), |range| range.min_values());
                    let optional = names.len().saturating_sub(least);
                    let words: Vec<String> = names
                        .iter()
                        .enumerate()
                        .map(|(index, name)| if index < optional { format!("[<{name}>]") } else { format!("<{name}>") })
                        .collect();
                    words.join(" ")
                }
                (None, value) => format!("<{}>", value.unwrap_or_else(|| arg.get_id().to_string())),
            };
            let shown = if arg.is_required_set() || names.len() > 1 { shown } else { format!("[{shown}]") };
            line.push(' ');
            line.push_str(&shown);
        }
        if suite.get_name() == "provision" {
            // `split_provision_options` takes these out of the line before clap sees it.
            line.push_str(" [--FLAG [VALUE]]...");
        }
        let about = suite.get_about().map(ToString::to_string).unwrap_or_default();
        list.push_str(&format!("{line}\n      {about}\n"));
    }
    list
}

/// `--har`'s help, for `kensa test` and `kensa run`.
pub(super) const HAR: &str = "Also write every HTTP exchange of the run to FILE as HAR 1.2, for a browser's devtools \
    or a HAR viewer, secrets redacted as in reports (mode 0600; a link there is replaced); not the manifest, the ledger \
    or the --output file";

pub(super) const EXIT_CODES: &str = "\
Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed (an invalid manifest is a failed check)
  2  kensa could not run (bad arguments, a missing or unreadable file, one over 1 MiB or
     not a regular file, output that cannot be written)";

/// `kensa report --help`'s text after the options.
pub(super) fn report() -> String {
    let limit = crate::files::MAX_REPORT_BYTES >> 20;
    format!(
        "\
Runs nothing: it renders the saved report, so CI runs the checks once and turns that one run
into GitHub annotations, JUnit and the other formats:
  kensa test all --with-sso --format json --output kensa-report.json
  kensa report kensa-report.json --format github
For --format github, -f names the manifest the annotations point at, as for `kensa test` (give
it relative to the repository); the manifest is not read. --output writes the rendering to a
file (mode 0600), which must not be the report, the manifest or the ledger. docs/ci.md has a
whole GitHub Actions workflow.

Exit codes:
  0  every check of the saved run passed (warnings allowed)
  1  a check of it failed
  2  kensa could not read the report (missing, over {limit} MiB, not a regular file or not a
     kensa JSON report) or could not write the output"
    )
}

/// `--timeout`'s help (no closing period, as clap drops it from a doc comment's summary):
/// the most it allows is Heroku's own limit.
pub(super) fn timeout() -> String {
    let limit = heroku_timeout_secs();
    format!(
        "Seconds to wait for each answer, its body included: Heroku's own limit, {limit}, or less for quicker \
         feedback while developing. An SSO sign-in gets this long for all its redirects; a hung endpoint is \
         waited for once per run; cors-proxy answers 504 after this long, and cuts off a body still coming"
    )
}

/// `kensa cors-proxy --help`'s text after the options.
pub(super) fn cors_proxy() -> String {
    let limit = heroku_timeout_secs();
    format!(
        "\
Listens on 127.0.0.1 only and forwards only to the --to origin (each request's path and
query appended). Answers CORS preflights itself and adds Access-Control-Allow-Origin to the
answers of the pages it allows; redirects are passed through. Point the playground's
manifest at the proxy, e.g.
  kensa cors-proxy --to http://localhost:5000 --port 5001
and use http://127.0.0.1:5001/heroku/resources as base_url.

Who it answers: only requests addressed to it, with Host 127.0.0.1:PORT or localhost:PORT
(anything else, such as a DNS-rebinding page's name, gets 403). A request with an Origin
header must come from an allowed page: by default http://127.0.0.1, http://localhost and
http://[::1] on any port (the playground served locally); add a hosted playground's origin
with --allow-origin https://example.org (repeatable; HOST:* allows any port). Other origins,
and Origin: null, get 403 without CORS headers and are not forwarded; a request without
Origin (curl, kensa test) is forwarded and gets no CORS headers.

A provider that has not answered within --timeout seconds (default {limit}, Heroku's limit) gets
the browser a 504 with a JSON message, CORS headers included; a body still coming when
those seconds are up is cut off. Stop it with Ctrl-C."
    )
}

pub(super) const SSO_HELP: &str = "\
In the POST flow the signed form (live sign-in tokens) is served once, from 127.0.0.1 on a
free port, at a random path: http://127.0.0.1:PORT/<32 random hex digits>. Only a GET of
that path with Host 127.0.0.1:PORT, as the browser sends it, gets the page; any other path
gets 404 and any other Host (localhost included, or a DNS-rebinding page's name) 403, and
neither uses up the page. kensa waits up to 10 minutes for it.";

pub(super) const CREATE_HELP: &str = "\
Templates: node (Node.js standard library), python (Python 3 standard library), rust
(axum) and sinatra (Ruby and Sinatra, as in Heroku's guide; Debian's ruby and ruby-sinatra
packages suffice) are built in and work offline. A git URL or the path of a local git
repository is cloned with git. Any other name, such as clojure, is cloned as the old kensa
did, from ${REPO_PREFIX:-https://github.com/heroku/kensa-create-}NAME; when that cannot be
reached, the error says so and names the built-in templates. NAME must not exist or be an
empty folder. The manifest and .env (mode 0600) replace a template's own; a symbolic link
there, or a .gitignore that is one, is replaced by a regular file (with a warning), never
written through. .gitignore lists .env and .kensa-resources.json.";

pub(super) const ADDONS_API_HELP: &str = "\
The token comes from HEROKU_API_KEY, else the api.heroku.com entry of ~/.netrc (which
`heroku login` writes). The API is https://addons.heroku.com unless HEROKU_ADDONS_HOST or
--host says otherwise. An answer over 16 MiB is refused (exit 2).";
