//! What hosts read from a [`kensa_manifest::Validation`] instead of parsing the file again.

use kensa_manifest::{documents_parsed, validate};

const SAMPLE: &str = r#"{
  "id": "myaddon",
  "api": {
    "config_vars": ["MYADDON_URL"],
    "password": "secret",
    "sso_salt": "salt",
    "regions": ["us"],
    "requires": [],
    "production": {"base_url": "https://myaddon.example.com/heroku/resources"},
    "test": {"base_url": "http://127.0.0.1:4567/heroku/resources"},
    "version": "3"
  }
}"#;

fn test_url(source: &str) -> Option<String> {
    validate(source.as_bytes()).test_url().map(str::to_string)
}

#[test]
fn the_test_url_comes_from_either_manifest_form() {
    assert_eq!(test_url(SAMPLE).as_deref(), Some("http://127.0.0.1:4567/heroku/resources"));
    assert_eq!(test_url(r#"{"api": {"test": "http://localhost:5000/"}}"#).as_deref(), Some("http://localhost:5000/"));
    assert_eq!(test_url(r#"{"api": {"test": 5}}"#), None);
    assert_eq!(test_url(r#"{"api": {"test": {"base_url": ["x"]}}}"#), None);
    assert_eq!(test_url("{"), None);
    assert_eq!(test_url("[]"), None);
}

/// A manifest validation accepts (a byte order mark, as some editors save) gets its test URL
/// too, and its id, even while rules fail.
#[test]
fn the_facts_are_read_from_any_object_validation_accepts() {
    let with_bom = format!("\u{feff}{SAMPLE}");
    let validation = validate(with_bom.as_bytes());
    assert!(validation.is_ok());
    assert_eq!(validation.test_url(), Some("http://127.0.0.1:4567/heroku/resources"));
    assert_eq!(validation.declared_id(), Some("myaddon"));
    let failing = validate(br#"{"id": "Bad Id", "api": {"test": "ftp://x"}}"#);
    assert!(!failing.is_ok());
    assert_eq!((failing.declared_id(), failing.test_url()), (Some("Bad Id"), Some("ftp://x")));
}

/// The count hosts' tests rely on: one validation is one parse, and what is read from it
/// afterwards is none.
#[test]
fn a_validation_parses_once_and_its_facts_never() {
    let before = documents_parsed();
    let validation = validate(SAMPLE.as_bytes());
    assert_eq!(documents_parsed(), before + 1);
    for _ in 0..3 {
        assert!(validation.declared_id().is_some() && validation.test_url().is_some() && validation.is_ok());
        assert!(validation.diagnostics().count() == 0 && validation.manifest.is_some());
    }
    assert_eq!(documents_parsed(), before + 1);
    validate(b"{");
    assert_eq!(documents_parsed(), before + 2, "a file that is not JSON counts too");
}
