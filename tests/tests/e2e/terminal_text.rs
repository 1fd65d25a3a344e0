//! Characters a terminal does not show (format characters, line and paragraph separators,
//! other default-ignorable code points) never reach human output raw: a provider cannot hide
//! or disguise text with them. Human output and GitHub annotations show them as `\u{200b}`;
//! JSON escapes them and reads back to the same text.

use kensa_e2e::hostile::HostileServer;
use kensa_e2e::hostile_invisible::{INVISIBLE, invisible_provider, invisible_text};
use kensa_e2e::{Kensa, check, write_json};

#[track_caller]
fn assert_no_invisible(what: &str, output: &str) {
    let raw: Vec<String> =
        INVISIBLE.iter().filter(|c| output.contains(**c)).map(|c| format!("U+{:04X}", u32::from(*c))).collect();
    assert!(raw.is_empty(), "{what} holds {raw:?} raw:\n{output}");
}

#[test]
fn invisible_characters_from_a_provider_are_shown_escaped() {
    let server = HostileServer::start(invisible_provider);
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    write_json(&manifest, &kensa_e2e::options().manifest(server.origin()));
    let kensa = || Kensa::new(dir.path()).arg("-f").arg(&manifest).args(["test", "all", "--with-sso"]);

    for color in ["never", "always"] {
        let run = kensa().args(["--color", color]).run();
        run.assert_code(1);
        assert_no_invisible(&format!("human stdout, --color {color}"), &run.stdout);
        assert_no_invisible(&format!("human stderr, --color {color}"), &run.stderr);
        assert!(run.stdout.contains(r"a\u{200b}\u{200c}\u{200d}\u{200e}\u{200f}\u{61c}\u{feff}"), "{}", run.stdout);
    }

    let run = kensa().args(["--format", "json"]).run();
    run.assert_code(1);
    assert_no_invisible("json", &run.stdout);
    // Escaped, not lost: past U+FFFF as a surrogate pair, which reads back as the character.
    assert!(run.stdout.contains(r"\udb40\udc01"), "{}", run.stdout);
    let report = run.report();
    let id = check(&report, "R01").note.clone().unwrap_or_default();
    assert!(id.contains(&invisible_text()), "{id:?}");
    assert_eq!(kensa_checks::render::from_json(&kensa_checks::render::json(&report)).unwrap(), report);

    let run = kensa().args(["--format", "junit"]).run();
    run.assert_code(1);
    assert_no_invisible("junit", &run.stdout);

    let run = kensa().args(["--format", "github"]).run();
    run.assert_code(1);
    assert_no_invisible("github", &run.stdout);
    assert!(run.stdout.contains(r"a\u{200b}\u{200c}\u{200d}\u{200e}\u{200f}\u{61c}\u{feff}"), "{}", run.stdout);
}

/// A warning on stderr quotes paths and errors, which may hold anything (a folder named
/// with control characters): it is made terminal-safe like everything on stdout.
#[test]
fn warnings_show_paths_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("\u{1b}]0;owned\u{7}\u{200b}");
    std::fs::create_dir(&folder).unwrap();
    let manifest = folder.join("addon-manifest.json");
    write_json(&manifest, &kensa_e2e::options().manifest("http://127.0.0.1:9"));
    std::fs::write(folder.join(".kensa-resources.json"), "not a ledger").unwrap();
    let run = Kensa::new(dir.path()).arg("-f").arg(&manifest).arg("resources").run();
    // An unusable ledger is not an empty one: `resources` refuses it, and says so escaped.
    run.assert_code(2);
    assert!(run.stderr.contains(r"\e]0;owned\x07\u{200b}"), "{}", run.describe());
    assert!(!run.stderr.contains(['\u{1b}', '\u{7}', '\u{200b}']), "{}", run.describe());
}
