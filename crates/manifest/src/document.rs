//! A parsed manifest file: the JSON value plus where each value sits in the source, so
//! diagnostics can say "line 7, column 16" as well as `/api/regions/0`.

use crate::diagnostic::Position;
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

thread_local! {
    static DOCUMENTS_PARSED: Cell<usize> = const { Cell::new(0) };
}

/// How many times this thread parsed a whole manifest file ([`Document::parse`], which
/// [`crate::validate`] calls once). Hosts validate once and hand the [`crate::Validation`]
/// on; tests count with this that nothing reads the file again.
pub fn documents_parsed() -> usize {
    DOCUMENTS_PARSED.with(Cell::get)
}

/// A manifest file that is well-formed JSON with an object at the top.
#[derive(Clone, Debug)]
pub struct Document {
    root: Map<String, Value>,
    locations: Locations,
    duplicate_keys: Vec<DuplicateKey>,
    unlisted_duplicate_keys: usize,
}

/// A key written more than once in the same object. JSON readers keep only the last value
/// (so does kensa), and silently: the first one is easy to edit in vain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON pointer to the key's value, such as `/api/password`.
    pub pointer: String,
    /// The key itself, decoded.
    pub key: String,
    /// Where the key is first written.
    pub first: Position,
    /// Where it is written again.
    pub repeat: Position,
}

/// Why a manifest file could not be read as a JSON object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub position: Option<Position>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    /// The file holds nothing but whitespace.
    Empty,
    /// The bytes are not UTF-8.
    NotUtf8,
    /// The JSON parser's own description, without its position suffix.
    InvalidJson(String),
    /// Valid JSON whose top level is not an object; holds what it is ("an array").
    NotAnObject(&'static str),
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxErrorKind::Empty => f.write_str("the manifest file is empty"),
            SyntaxErrorKind::NotUtf8 => f.write_str("the manifest is not valid UTF-8"),
            SyntaxErrorKind::InvalidJson(reason) => write!(f, "invalid JSON: {reason}"),
            SyntaxErrorKind::NotAnObject(found) => {
                write!(f, "the manifest must be a JSON object, found {found}")
            }
        }
    }
}

impl Document {
    /// Parses a manifest file. Time and memory are linear in its size, and nesting is bounded
    /// by serde_json's recursion limit (128), so no input can overflow the stack.
    pub fn parse(source: &[u8]) -> Result<Document, SyntaxError> {
        DOCUMENTS_PARSED.with(|parsed| parsed.set(parsed.get() + 1));
        let text = std::str::from_utf8(source).map_err(|error| SyntaxError {
            kind: SyntaxErrorKind::NotUtf8,
            position: Some(position_at(source, error.valid_up_to())),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(SyntaxError { kind: SyntaxErrorKind::Empty, position: Some(Position { line: 1, column: 1 }) });
        }
        let value: Value = serde_json::from_str(text).map_err(|error| SyntaxError {
            kind: SyntaxErrorKind::InvalidJson(strip_position_suffix(&error.to_string())),
            position: Some(character_position(text, error.line(), error.column())),
        })?;
        let root = match value {
            Value::Object(root) => root,
            other => {
                return Err(SyntaxError {
                    kind: SyntaxErrorKind::NotAnObject(kind_of(&other)),
                    position: Some(Position { line: 1, column: 1 }),
                });
            }
        };
        let mut locator = Locator::new(text);
        locator.value();
        Ok(Document {
            root,
            locations: locator.locations,
            duplicate_keys: locator.duplicate_keys,
            unlisted_duplicate_keys: locator.unlisted_duplicate_keys,
        })
    }

    pub fn root(&self) -> &Map<String, Value> {
        &self.root
    }

    /// Where the value at `pointer` starts; for a missing value, its nearest present ancestor.
    pub fn position(&self, pointer: &str) -> Option<Position> {
        self.locations.find(pointer)
    }

    /// Keys written more than once in their object, in the order the repeats appear: the
    /// first 100 of them at most.
    pub fn duplicate_keys(&self) -> &[DuplicateKey] {
        &self.duplicate_keys
    }

    /// How many more repeats there are beyond those [`Document::duplicate_keys`] lists.
    pub fn unlisted_duplicate_keys(&self) -> usize {
        self.unlisted_duplicate_keys
    }
}

/// A short description of a JSON value's type, for messages: "a string", "null".
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn saturate(number: usize) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

fn strip_position_suffix(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

fn position_at(source: &[u8], offset: usize) -> Position {
    let before = &source[..offset.min(source.len())];
    let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
    let line_start = before.iter().rposition(|byte| *byte == b'\n').map_or(0, |index| index + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Position { line: saturate(line), column: saturate(column) }
}

/// serde_json counts columns in bytes and reports 0 right after a line break; a
/// [`Position`] counts characters from 1.
fn character_position(text: &str, line: usize, byte_column: usize) -> Position {
    let line_start =
        if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2).map_or(text.len(), |(index, _)| index + 1) };
    let column = text[line_start..].char_indices().take_while(|(index, _)| *index < byte_column).count();
    Position { line: saturate(line.max(1)), column: saturate(column.max(1)) }
}

/// Where every value of a document starts, as a tree that mirrors the JSON: memory is linear
/// in the number of values (a map from full pointers would grow with depth times key length).
#[derive(Clone, Debug, Default)]
struct Locations {
    /// One per value, in the order they are written; node 0 is the root value.
    nodes: Vec<Node>,
    /// The members of the arrays and objects, kept apart so a scalar node stays small.
    containers: Vec<Children>,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    position: Position,
    /// Index into `containers`, for an array or object.
    children: Option<usize>,
}

#[derive(Clone, Debug)]
enum Children {
    Array(Vec<usize>),
    Object(HashMap<String, Member>),
}

#[derive(Clone, Debug)]
struct Member {
    /// Where the key is first written, for reporting a repeat.
    key_position: Position,
    /// The value's node; the last one written when the key repeats, as serde_json keeps it.
    node: usize,
}

impl Locations {
    fn find(&self, pointer: &str) -> Option<Position> {
        let mut node = self.nodes.first()?;
        if pointer.is_empty() {
            return Some(node.position);
        }
        let tokens = pointer.strip_prefix('/')?;
        for token in tokens.split('/') {
            let child = match node.children.and_then(|index| self.containers.get(index)) {
                Some(Children::Object(members)) => {
                    members.get(&unescape_pointer_token(token)).map(|member| member.node)
                }
                Some(Children::Array(items)) => array_index(token).and_then(|index| items.get(index).copied()),
                None => None,
            };
            match child.and_then(|index| self.nodes.get(index)) {
                Some(child) => node = child,
                None => break,
            }
        }
        Some(node.position)
    }
}

/// An array index token: digits without a leading zero (RFC 6901).
fn array_index(token: &str) -> Option<usize> {
    let canonical = token == "0" || (!token.starts_with('0') && token.chars().all(|c| c.is_ascii_digit()));
    if canonical { token.parse().ok() } else { None }
}

/// At most this many repeated keys are listed one by one, and only while their pointers add up
/// to at most `DUPLICATE_KEY_POINTER_BYTES`: each listing spells out the key's whole pointer, so
/// a long list of keys deep in a file would print far more than the file holds.
const DUPLICATE_KEYS_LISTED: usize = 100;
const DUPLICATE_KEY_POINTER_BYTES: usize = 64 * 1024;

/// Walks text already known to be valid JSON (so nested at most 128 deep) and records where
/// every value starts, and every repeated key.
struct Locator<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    column: u32,
    locations: Locations,
    /// The tokens of the pointer to the value being walked.
    path: Vec<Token>,
    duplicate_keys: Vec<DuplicateKey>,
    duplicate_key_pointer_bytes: usize,
    unlisted_duplicate_keys: usize,
}

enum Token {
    Key(String),
    Index(usize),
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Self {
        Locator {
            text,
            offset: 0,
            line: 1,
            column: 1,
            locations: Locations::default(),
            path: Vec::new(),
            duplicate_keys: Vec::new(),
            duplicate_key_pointer_bytes: 0,
            unlisted_duplicate_keys: 0,
        }
    }

    fn here(&self) -> Position {
        Position { line: self.line, column: self.column }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.offset..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let next = self.peek()?;
        self.offset += next.len_utf8();
        if next == '\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else {
            self.column = self.column.saturating_add(1);
        }
        Some(next)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    /// The JSON pointer of the value being walked.
    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for token in &self.path {
            pointer.push('/');
            match token {
                Token::Key(key) => pointer.push_str(&pointer_token(key)),
                Token::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        pointer
    }

    /// Records the value at the cursor and returns its node.
    fn value(&mut self) -> usize {
        self.skip_whitespace();
        let node = self.locations.nodes.len();
        self.locations.nodes.push(Node { position: self.here(), children: None });
        let children = match self.peek() {
            Some('{') => Children::Object(self.object()),
            Some('[') => Children::Array(self.array()),
            Some('"') => {
                self.skip_string();
                return node;
            }
            _ => {
                while matches!(self.peek(), Some(c) if !matches!(c, ',' | '}' | ']' | ' ' | '\t' | '\n' | '\r')) {
                    self.bump();
                }
                return node;
            }
        };
        self.locations.nodes[node].children = Some(self.locations.containers.len());
        self.locations.containers.push(children);
        node
    }

    fn object(&mut self) -> HashMap<String, Member> {
        let mut members: HashMap<String, Member> = HashMap::new();
        self.bump();
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some('"') => {}
                _ => {
                    self.bump(); // `}` (the text is valid JSON, so nothing else can be here)
                    return members;
                }
            }
            let key_position = self.here();
            let key = self.key();
            self.skip_whitespace();
            self.bump(); // `:`
            self.path.push(Token::Key(key));
            let first = members.get(self.current_key()).map(|member| member.key_position);
            if let Some(first) = first {
                if self.duplicate_keys.len() < DUPLICATE_KEYS_LISTED
                    && self.duplicate_key_pointer_bytes < DUPLICATE_KEY_POINTER_BYTES
                {
                    let pointer = self.pointer();
                    self.duplicate_key_pointer_bytes += pointer.len();
                    let key = self.current_key().to_string();
                    self.duplicate_keys.push(DuplicateKey { pointer, key, first, repeat: key_position });
                } else {
                    self.unlisted_duplicate_keys += 1;
                }
            }
            let node = self.value();
            if let Some(Token::Key(key)) = self.path.pop() {
                members.insert(key, Member { key_position: first.unwrap_or(key_position), node });
            }
            self.skip_whitespace();
            if self.bump() != Some(',') {
                return members;
            }
        }
    }

    /// The key on top of the path (only called right after pushing one).
    fn current_key(&self) -> &str {
        match self.path.last() {
            Some(Token::Key(key)) => key,
            _ => "",
        }
    }

    fn array(&mut self) -> Vec<usize> {
        let mut items = Vec::new();
        self.bump();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return items;
        }
        loop {
            self.path.push(Token::Index(items.len()));
            items.push(self.value());
            self.path.pop();
            self.skip_whitespace();
            if self.bump() != Some(',') {
                return items;
            }
        }
    }

    /// Consumes a string literal and returns the byte range it spans, quotes included.
    fn skip_string(&mut self) -> std::ops::Range<usize> {
        let start = self.offset;
        self.bump();
        while let Some(next) = self.bump() {
            match next {
                '\\' => {
                    self.bump();
                }
                '"' => break,
                _ => {}
            }
        }
        start..self.offset
    }

    /// Consumes a key and returns its decoded text.
    fn key(&mut self) -> String {
        let literal = self.skip_string();
        serde_json::from_str(&self.text[literal]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn records_positions_of_nested_values() {
        let source = "{\n  \"id\": \"x\",\n  \"api\": {\"regions\": [\"us\", \"mars\"]}\n}";
        let document = Document::parse(source.as_bytes()).unwrap();
        assert_eq!(document.position("/id"), at(2, 9));
        assert_eq!(document.position("/api/regions/1"), at(3, 29));
        // Missing values point at their closest present ancestor.
        assert_eq!(document.position("/api/password"), at(3, 10));
    }

    #[test]
    fn escapes_keys_in_pointers() {
        let document = Document::parse(br#"{"a/b": {"c~d": 1}}"#).unwrap();
        assert_eq!(document.position("/a~1b/c~0d"), at(1, 17));
    }

    #[test]
    fn reports_syntax_errors_with_line_and_column() {
        let error = Document::parse(b"{\n  \"id\": \"x\"\n  \"api\": {}\n}").unwrap_err();
        assert_eq!(error.position, at(3, 3));
        assert!(matches!(error.kind, SyntaxErrorKind::InvalidJson(ref reason) if reason.contains("expected `,`")));
    }

    #[test]
    fn rejects_empty_files_arrays_scalars_and_bad_utf8() {
        assert_eq!(Document::parse(b"  \n").unwrap_err().kind, SyntaxErrorKind::Empty);
        assert_eq!(Document::parse(b"[]").unwrap_err().kind, SyntaxErrorKind::NotAnObject("an array"));
        assert_eq!(Document::parse(b"42").unwrap_err().kind, SyntaxErrorKind::NotAnObject("a number"));
        let error = Document::parse(b"{\"id\": \"\xff\"}").unwrap_err();
        assert_eq!(error.kind, SyntaxErrorKind::NotUtf8);
        assert_eq!(error.position, at(1, 9));
    }

    #[test]
    fn accepts_a_byte_order_mark() {
        assert!(Document::parse("\u{feff}{\"id\": \"x\"}".as_bytes()).is_ok());
    }

    #[test]
    fn syntax_error_columns_count_characters_from_one() {
        // serde_json says column 0 at the start of a line and counts bytes.
        assert_eq!(Document::parse(b"{\n").unwrap_err().position, at(2, 1));
        let error = Document::parse("{\"caf\u{e9}\u{e9}\": x}".as_bytes()).unwrap_err();
        assert_eq!(error.position, at(1, 11));
    }

    #[test]
    fn keeps_the_last_of_repeated_keys_and_lists_each_repeat() {
        let document = Document::parse(b"{\"a\": 1,\n \"a\": [2],\n \"a\": {\"b\": 3}}").unwrap();
        assert_eq!(document.root()["a"]["b"], 3);
        assert_eq!(document.position("/a/b"), at(3, 13));
        let repeats: Vec<_> =
            document.duplicate_keys().iter().map(|d| (d.pointer.as_str(), d.first, d.repeat)).collect();
        let first = Position { line: 1, column: 2 };
        assert_eq!(
            repeats,
            [("/a", first, Position { line: 2, column: 2 }), ("/a", first, Position { line: 3, column: 2 })]
        );
        assert_eq!(document.unlisted_duplicate_keys(), 0);
    }

    #[test]
    fn lists_repeats_while_their_pointers_stay_small() {
        // 127 levels of 600-byte keys: each pointer is about 76 KB, so only the first is listed.
        let key = "k".repeat(600);
        let mut source = String::new();
        for _ in 0..126 {
            source.push_str(&format!("{{\"{key}\": "));
        }
        source.push_str(&format!("{{\"{key}\": 1, \"{key}\": 2, \"{key}\": 3}}"));
        source.push_str(&"}".repeat(126));
        let document = Document::parse(source.as_bytes()).unwrap();
        assert_eq!(document.duplicate_keys().len(), 1);
        assert_eq!(document.unlisted_duplicate_keys(), 1);
    }

    #[test]
    fn finds_only_canonical_array_indexes() {
        let document = Document::parse(b"{\"a\": [10, 20]}").unwrap();
        assert_eq!(document.position("/a/1"), at(1, 12));
        assert_eq!(document.position("/a/01"), at(1, 7), "not an index: the array itself");
        assert_eq!(document.position("/a/2"), at(1, 7));
        assert_eq!(document.position("a"), None, "a pointer starts with `/`");
        assert_eq!(document.position(""), at(1, 1));
    }
}
