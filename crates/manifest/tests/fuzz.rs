//! Property test of the manifest parser and rules: arbitrary bytes, and valid
//! manifests mutated by structure (keys deleted, repeated, renamed; values of another type;
//! control characters, huge numbers, deep nesting, long strings, many config vars) and by
//! text, never make validation panic, and every diagnostic points inside the input.
//!
//! `cargo test` runs a short round with fixed seeds. `scripts/fuzz [SECONDS]` runs the ignored
//! `fuzz_campaign` for longer and prints inputs tried, inputs per second, peak memory and panics.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(
    clippy::disallowed_methods,
    reason = "a host-only harness: it times itself, reads its settings from the environment and writes samples"
)]

use kensa_manifest::{API_KEYS, RULES, TOP_LEVEL_KEYS, Validation, validate};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

mod common;
use std::time::{Duration, Instant, SystemTime};

/// xorshift64*: a small seeded generator, so every input can be made again from its seed;
/// it carries the size limits along.
struct Rng {
    state: u64,
    limits: Limits,
}

impl Rng {
    fn new(seed: u64, limits: Limits) -> Rng {
        // Spread nearby seeds apart (splitmix64); xorshift needs a non-zero state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng { state: (z ^ (z >> 31)) | 1, limits }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound).unwrap()).unwrap()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Mostly small, sometimes large: `1..=max`, log-uniform.
    fn size(&mut self, max: usize) -> usize {
        let bits = usize::BITS - max.leading_zeros();
        let limit = 1usize << self.below(usize::try_from(bits).unwrap() + 1);
        (1 + self.below(limit)).min(max)
    }
}

/// How big generated parts get: small for the round in `cargo test`, large for the campaign.
#[derive(Clone, Copy)]
struct Limits {
    string_length: usize,
    config_vars: usize,
}

const QUICK: Limits = Limits { string_length: 4_000, config_vars: 1_000 };
const CAMPAIGN: Limits = Limits { string_length: 100_000, config_vars: 20_000 };

fn valid_manifests() -> Vec<Value> {
    let mut with_requirements = common::valid();
    with_requirements["api"]["config_vars"] = json!(["MYADDON_URL", "MYADDON_TOKEN"]);
    with_requirements["api"]["requires"] = json!(["syslog_drain"]);
    vec![
        with_requirements,
        json!({
            "id": "fast-db",
            "api": {
                "config_vars": ["FAST_DB_URL"],
                "password": "p",
                "regions": ["*"],
                "production": "https://fast-db.example.com/",
                "test": "http://127.0.0.1:5000/prefix/"
            }
        }),
    ]
}

/// Strings that have tripped URL, key and name handling somewhere.
const TRICKY_STRINGS: &[&str] = &[
    "",
    " ",
    "javascript:alert(1)",
    "http://localhost:0/x",
    "http://localhost:99999/",
    "http://[::1",
    "http://[::1]:8080/",
    "https://user:pw@host/",
    "http:x",
    "localhost:4567",
    "ftp://x/",
    "MYADDON_URL",
    "myaddon_url",
    "us",
    "mars",
    "*",
    "3",
    "~1/~0",
    "/",
    "\u{1b}[2J\u{1b}]0;owned\u{7}",
    "a\u{0}b",
    "\r[PASS]",
    "\u{feff}",
    "\u{202e}evil",
    "é",
    "𝕜𝕖𝕟𝕤𝕒",
];

/// The keys the model reads, from the crate itself so a new key is fuzzed the day it is read;
/// then the deprecated `username` and the keys of an endpoint object.
static KEYS: LazyLock<Vec<&str>> = LazyLock::new(|| {
    TOP_LEVEL_KEYS.iter().chain(API_KEYS).copied().chain(["username", "base_url", "sso_url"]).collect()
});

fn random_string(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.pick(TRICKY_STRINGS).to_string(),
        1 => rng.pick(KEYS.as_slice()).to_string(),
        2 => {
            // Long strings, up to the limit.
            let unit = rng.pick(&["a", "A_", "é", "\u{1b}", "🦀", "\\", "\""]).to_string();
            unit.repeat(rng.size(rng.limits.string_length))
        }
        3 => (0..rng.size(20)).map(|_| char::from_u32(u32::try_from(rng.below(0x80)).unwrap()).unwrap()).collect(),
        4 => (0..rng.size(20)).filter_map(|_| char::from_u32(u32::try_from(rng.below(0x11_0000)).unwrap())).collect(),
        _ => {
            let key = *rng.pick(KEYS.as_slice());
            typo(rng, key)
        }
    }
}

/// `word` with one character dropped, doubled, swapped or upper-cased.
fn typo(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let at = rng.below(chars.len());
    match rng.below(4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, chars[at]),
        2 if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars[at] = chars[at].to_ascii_uppercase(),
    }
    chars.into_iter().collect()
}

fn random_number(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => json!(u64::MAX),
        1 => json!(i64::MIN),
        2 => json!(f64::MAX),
        3 => json!(-0.0),
        4 => json!(f64::MIN_POSITIVE),
        _ => json!(rng.next() % 100_000),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => random_number(rng),
        3 => Value::String(random_string(rng)),
        4 => Value::Array((0..rng.size(4)).map(|_| random_value(rng, depth + 1)).collect()),
        5 => {
            let mut object = Map::new();
            for _ in 0..rng.size(4) {
                object.insert(random_string(rng), random_value(rng, depth + 1));
            }
            Value::Object(object)
        }
        _ => nested(rng),
    }
}

/// Arrays or objects nested up to 300 deep: past serde_json's limit of 128 sometimes.
fn nested(rng: &mut Rng) -> Value {
    let mut value = json!(1);
    for _ in 0..rng.size(300) {
        value = if rng.chance(50) { json!([value]) } else { json!({ "k": value }) };
    }
    value
}

/// Many config var names, up to the limit, some repeated, some invalid.
fn many_config_vars(rng: &mut Rng) -> Value {
    let count = rng.size(rng.limits.config_vars);
    let names: Vec<Value> = (0..count)
        .map(|index| match rng.below(20) {
            0 => json!(format!("MYADDON_VAR_{}", rng.below(index + 1))),
            1 => json!(random_string(rng)),
            2 => random_value(rng, 3),
            _ => json!(format!("MYADDON_VAR_{index}")),
        })
        .collect();
    Value::Array(names)
}

/// Every pointer in `value`, escaped as RFC 6901 says.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    out.push(prefix.to_string());
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, &format!("{prefix}/{index}"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                pointers(item, &format!("{prefix}/{}", kensa_manifest::pointer_token(key)), out);
            }
        }
        _ => {}
    }
}

/// Applies one structural change somewhere in `manifest`.
fn mutate_structure(rng: &mut Rng, manifest: &mut Value) {
    if rng.chance(10)
        && let Some(api) = manifest.get_mut("api").and_then(Value::as_object_mut)
    {
        api.insert("config_vars".to_string(), many_config_vars(rng));
        return;
    }
    let mut all = Vec::new();
    pointers(manifest, "", &mut all);
    let target = rng.pick(&all).clone();
    let replacement = match rng.below(3) {
        0 => random_value(rng, 0),
        1 if target.ends_with("config_vars") => many_config_vars(rng),
        _ => Value::String(random_string(rng)),
    };
    let Some(node) = manifest.pointer_mut(&target) else { return };
    match (rng.below(4), node) {
        (0, Value::Object(members)) if !members.is_empty() => {
            // Delete a key.
            let key = members.keys().nth(rng.below(members.len())).unwrap().clone();
            members.shift_remove(&key);
        }
        (1, Value::Object(members)) if !members.is_empty() => {
            // Rename a key: a typo, a known key, or anything.
            let key = members.keys().nth(rng.below(members.len())).unwrap().clone();
            let value = members.shift_remove(&key).unwrap();
            let renamed = if rng.chance(50) { typo(rng, &key) } else { random_string(rng) };
            members.insert(renamed, value);
        }
        (2, Value::Array(items)) if !items.is_empty() => {
            let at = rng.below(items.len());
            if rng.chance(50) {
                items.remove(at);
            } else {
                let copy = items[at].clone();
                items.insert(at, copy);
            }
        }
        (_, node) => *node = replacement,
    }
}

/// Applies one change to the text: repeats a key, inserts control characters or stray bytes,
/// cuts or copies a range, truncates.
fn mutate_text(rng: &mut Rng, text: &mut Vec<u8>) {
    let at = rng.below(text.len() + 1);
    match rng.below(7) {
        0 => {
            // Repeat a key: write a copy of a member, with another value, right before it.
            let key = Value::String((*rng.pick(KEYS.as_slice())).to_string()).to_string();
            let pattern = format!("{key}:");
            let found: Vec<usize> = text
                .windows(pattern.len())
                .enumerate()
                .filter(|(_, w)| *w == pattern.as_bytes())
                .map(|(i, _)| i)
                .collect();
            if !found.is_empty() {
                let member = format!("{key}: {}, ", random_value(rng, 2));
                let at = *rng.pick(&found);
                text.splice(at..at, member.into_bytes());
            }
        }
        1 => {
            let control = *rng.pick(&[&b"\x00"[..], b"\x1b[2J", b"\r", b"\x08", b"\x7f", "\u{2028}".as_bytes()]);
            text.splice(at..at, control.iter().copied());
        }
        2 => {
            let byte = u8::try_from(rng.below(256)).unwrap();
            text.insert(at, byte);
        }
        3 => {
            let end = (at + rng.size(64)).min(text.len());
            text.drain(at..end);
        }
        4 => {
            let end = (at + rng.size(256)).min(text.len());
            let copy = text[at..end].to_vec();
            text.splice(at..at, copy);
        }
        5 => text.truncate(at),
        _ => {
            if let Some(byte) = text.get_mut(at) {
                *byte ^= 1 << rng.below(8);
            }
        }
    }
}

/// One input: arbitrary bytes, or a valid manifest changed by structure and then maybe by text.
fn generate(rng: &mut Rng) -> Input {
    if rng.chance(15) {
        let alphabet = b"{}[]\":,0123456789.eE+-tfnul \n\\\"abc";
        let bytes = (0..rng.size(512))
            .map(|_| if rng.chance(50) { *rng.pick(alphabet) } else { u8::try_from(rng.below(256)).unwrap() })
            .collect();
        return Input { bytes, structure_only: None };
    }
    let mut manifest = rng.pick(&valid_manifests()).clone();
    for _ in 0..rng.size(4) {
        mutate_structure(rng, &mut manifest);
    }
    let pretty = rng.chance(50);
    let text = if pretty { serde_json::to_vec_pretty(&manifest) } else { serde_json::to_vec(&manifest) }.unwrap();
    if rng.chance(40) {
        let mut bytes = text;
        for _ in 0..rng.size(3) {
            mutate_text(rng, &mut bytes);
        }
        return Input { bytes, structure_only: None };
    }
    Input { bytes: text, structure_only: Some(manifest) }
}

struct Input {
    bytes: Vec<u8>,
    /// The manifest the bytes are a serialisation of, when no text change was made.
    structure_only: Option<Value>,
}

/// Validates `input` and checks what must hold for any input.
fn check(input: &Input) {
    let source = &input.bytes;
    let validation = validate(source);
    let codes: Vec<&str> = validation.results.iter().map(|result| result.rule.check.code).collect();
    let expected: Vec<&str> = RULES.iter().map(|rule| rule.check.code).collect();
    assert_eq!(codes, expected, "one result per rule, in order");
    assert_eq!(validation.is_ok(), validation.manifest.is_some(), "a valid manifest, or diagnostics");
    if !validation.is_ok() {
        assert!(validation.errors().next().is_some(), "a failed validation says why");
    }
    let lines = line_lengths(source);
    for diagnostic in validation.diagnostics() {
        let position = diagnostic.position.unwrap_or_else(|| panic!("no position: {diagnostic:?}"));
        let line = usize::try_from(position.line).unwrap();
        assert!(line >= 1 && line <= lines.len(), "line outside the input: {diagnostic:?}");
        let column = usize::try_from(position.column).unwrap();
        assert!(column >= 1 && column <= lines[line - 1] + 1, "column outside line {line}: {diagnostic:?}");
        assert!(diagnostic.pointer.is_empty() || diagnostic.pointer.starts_with('/'), "{diagnostic:?}");
        assert!(!diagnostic.message.is_empty());
    }
    if let Some(manifest) = &input.structure_only {
        check_positions(source, manifest, &validation);
        check_layout_independence(manifest, &validation);
    }
}

/// Characters per line, as positions count them (invalid UTF-8 counts as one character).
fn line_lengths(source: &[u8]) -> Vec<usize> {
    String::from_utf8_lossy(source).split('\n').map(|line| line.chars().count()).collect()
}

/// The position recorded for a value is where that value starts in the text.
fn check_positions(source: &[u8], manifest: &Value, validation: &Validation) {
    let Some(document) = validation.document.as_ref() else {
        return; // nested past the parser's limit
    };
    let text = std::str::from_utf8(source).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut all = Vec::new();
    pointers(manifest, "", &mut all);
    let step = (all.len() / 50).max(1);
    // The characters of each line looked at, indexed once: a compact manifest is one long line.
    let mut line_chars: std::collections::HashMap<usize, Vec<char>> = std::collections::HashMap::new();
    for pointer in all.iter().step_by(step) {
        let position = document.position(pointer).unwrap();
        let line = usize::try_from(position.line).unwrap() - 1;
        let chars = line_chars.entry(line).or_insert_with(|| lines[line].chars().collect());
        let found = chars.get(usize::try_from(position.column).unwrap() - 1).copied();
        let value = manifest.pointer(pointer).unwrap();
        let starts = match value {
            Value::Null => found == Some('n'),
            Value::Bool(true) => found == Some('t'),
            Value::Bool(false) => found == Some('f'),
            Value::Number(_) => found.is_some_and(|c| c == '-' || c.is_ascii_digit()),
            Value::String(_) => found == Some('"'),
            Value::Array(_) => found == Some('['),
            Value::Object(_) => found == Some('{'),
        };
        assert!(starts, "{pointer} is at {position:?}, where {found:?} is");
    }
}

/// The same manifest written compactly says the same things, at the same pointers.
fn check_layout_independence(manifest: &Value, validation: &Validation) {
    let compact = validate(&serde_json::to_vec(manifest).unwrap());
    let said = |validation: &Validation| -> Vec<(String, String, String)> {
        validation.diagnostics().map(|d| (d.code.clone(), d.pointer.clone(), d.message.clone())).collect()
    };
    assert_eq!(said(validation), said(&compact));
}

/// The seed of input number `case` of a run seeded with `seed`.
fn case_seed(seed: u64, case: u64) -> u64 {
    seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[test]
fn mutated_manifests_never_panic_and_point_inside_the_input() {
    for case in 0..512 {
        let mut rng = Rng::new(case_seed(10, case), QUICK);
        let input = generate(&mut rng);
        check(&input);
    }
}

#[test]
fn the_generator_makes_valid_invalid_and_repeated_key_inputs() {
    // A fuzzer that only ever makes unparsable input tests nothing past M00.
    let (mut valid, mut invalid_json, mut repeated_keys, mut failed_rules) = (0, 0, 0, 0);
    for case in 0..512 {
        let validation = validate(&generate(&mut Rng::new(case_seed(10, case), QUICK)).bytes);
        let m00 = &validation.results[0];
        valid += usize::from(validation.is_ok());
        invalid_json += usize::from(m00.findings.iter().any(|d| d.message.starts_with("invalid JSON")));
        repeated_keys += usize::from(m00.findings.iter().any(|d| d.message.contains("is repeated: at ")));
        failed_rules += usize::from(validation.errors().any(|d| d.code.as_str() > "M01"));
    }
    assert!(
        valid > 10 && invalid_json > 10 && repeated_keys > 5 && failed_rules > 50,
        "{valid} {invalid_json} {repeated_keys} {failed_rules}"
    );
}

/// `scripts/fuzz` runs this: `KENSA_FUZZ_SECONDS` (default 60) of generated inputs, seeded by
/// `KENSA_FUZZ_SEED` (default: the clock). With `KENSA_FUZZ_SAMPLES` set to a folder, the first
/// `KENSA_FUZZ_SAMPLE_COUNT` (default 200) inputs and any that panicked are written there.
#[test]
#[ignore = "a long campaign: run by scripts/fuzz"]
fn fuzz_campaign() {
    let seconds: u64 = env_number("KENSA_FUZZ_SECONDS", 60);
    let seed = env_number("KENSA_FUZZ_SEED", {
        let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
        u64::try_from(since.as_nanos() % u128::from(u64::MAX)).unwrap()
    });
    let samples = std::env::var_os("KENSA_FUZZ_SAMPLES").map(std::path::PathBuf::from);
    let sample_count: u64 = env_number("KENSA_FUZZ_SAMPLE_COUNT", 200);
    println!("fuzz: seed {seed}, {seconds} s");
    let started = Instant::now();
    let (mut tried, mut bytes, mut panics) = (0u64, 0u64, 0u64);
    while started.elapsed() < Duration::from_secs(seconds) {
        let case = tried;
        let input = generate(&mut Rng::new(case_seed(seed, case), CAMPAIGN));
        tried += 1;
        bytes += u64::try_from(input.bytes.len()).unwrap();
        let panicked = std::panic::catch_unwind(|| check(&input)).is_err();
        if panicked {
            panics += 1;
            println!("fuzz: PANIC in case {case} (KENSA_FUZZ_SEED={seed})");
        }
        if let Some(folder) = &samples {
            if panicked {
                std::fs::write(folder.join(format!("panic-{case}.json")), &input.bytes).unwrap();
            } else if case < sample_count {
                std::fs::write(folder.join(format!("case-{case}.json")), &input.bytes).unwrap();
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("fuzz: inputs tried: {tried}");
    let (rate, megabytes) = (tried as f64 / elapsed, bytes as f64 / 1_048_576.0);
    println!("fuzz: inputs per second: {rate:.0}");
    println!("fuzz: bytes validated: {megabytes:.1} MiB");
    println!("fuzz: peak memory (VmHWM): {}", peak_memory().unwrap_or_else(|| "unknown".to_string()));
    println!("fuzz: panics: {panics}");
    assert_eq!(panics, 0, "validation panicked or broke an invariant");
}

/// Prints how long validation takes for 32k and 200k distinct config vars (6.7 s and over 45 s
/// back when repeats were found by comparing every pair), and for other long lists: unknown
/// regions (each gets a suggestion), unknown `api` keys (missing keys are suggested from them)
/// and a key repeated 200k times. A measurement, not a test.
#[test]
#[ignore = "prints timings: run by scripts/fuzz"]
fn prints_validation_time_for_long_lists() {
    let base = || valid_manifests().remove(0);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for count in [32_000, 200_000] {
        let mut manifest = base();
        manifest["api"]["config_vars"] = json!((0..count).map(|i| format!("MYADDON_VAR_{i}")).collect::<Vec<_>>());
        cases.push((format!("{count} config vars"), serde_json::to_vec(&manifest).unwrap()));
    }
    let mut manifest = base();
    manifest["api"]["regions"] = json!((0..200_000).map(|i| format!("region{i}")).collect::<Vec<_>>());
    cases.push(("200000 unknown regions".to_string(), serde_json::to_vec(&manifest).unwrap()));
    let mut manifest = base();
    let api = manifest["api"].as_object_mut().unwrap();
    api.retain(|key, _| key == "regions");
    for i in 0..200_000 {
        api.insert(format!("pasword{i}"), json!(1));
    }
    cases.push(("200000 unknown api keys".to_string(), serde_json::to_vec(&manifest).unwrap()));
    let members = vec!["\"x\": 1"; 200_000].join(",");
    cases.push(("a key written 200000 times".to_string(), format!("{{\"id\": \"myaddon\", {members}}}").into_bytes()));
    for (name, source) in cases {
        let started = Instant::now();
        let validation = validate(&source);
        let elapsed = started.elapsed();
        println!(
            "bench: {name} ({} KiB): validated in {} ms, {} diagnostics",
            source.len() / 1024,
            elapsed.as_millis(),
            validation.diagnostics().count()
        );
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| panic!("{name} must be a whole number, is {text:?}")),
        Err(_) => default,
    }
}

/// The process's peak resident memory, from /proc/self/status (Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}
