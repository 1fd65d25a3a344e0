//! The pure manifest crate running in headless Chromium (`scripts/test`, or
//! `wasm-pack test --headless --chrome crates/manifest`).
#![cfg(target_arch = "wasm32")]

use kensa_manifest::{Severity, validate};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

// Without this, `wasm-pack test --headless --chrome` skips the suite and still passes.
wasm_bindgen_test_configure!(run_in_browser);

/// The manifest the playground's editor starts with: valid in the browser too.
const VALID: &str = include_str!("../../../web/playground-manifest.json");

fn error_pointers(source: &str) -> Vec<String> {
    validate(source.as_bytes())
        .diagnostics()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| diagnostic.pointer.clone())
        .collect()
}

#[wasm_bindgen_test]
fn valid_v3_manifest_is_ok() {
    let validation = validate(VALID.as_bytes());
    let codes: Vec<_> = validation.diagnostics().map(|d| d.code).collect();
    assert!(validation.is_ok(), "unexpected diagnostics: {codes:?}");
    assert!(validation.manifest.is_some());
}

#[wasm_bindgen_test]
fn blank_id_and_unknown_region_are_both_reported() {
    let source = VALID.replacen(r#""id": "myaddon""#, r#""id": """#, 1).replacen(
        r#""regions": ["us", "eu"]"#,
        r#""regions": ["mars"]"#,
        1,
    );
    assert!(source.contains("mars"), "the sample manifest's regions changed; edit this test's replacement");
    let validation = validate(source.as_bytes());
    assert!(!validation.is_ok());
    let pointers = error_pointers(&source);
    assert!(pointers.iter().any(|pointer| pointer.starts_with("/id")), "{pointers:?}");
    assert!(pointers.iter().any(|pointer| pointer.starts_with("/api/regions")), "{pointers:?}");
}

#[wasm_bindgen_test]
fn invalid_json_is_reported_with_a_position() {
    let validation = validate(b"{\n  \"id\": \"myaddon\",\n}");
    assert!(!validation.is_ok());
    assert!(validation.manifest.is_none());
    let position =
        validation.diagnostics().find_map(|diagnostic| diagnostic.position).expect("a diagnostic with a position");
    assert!(position.line >= 2, "{position:?}");
    assert!(position.column >= 1, "{position:?}");
}
