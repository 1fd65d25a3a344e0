//! A parsed manifest file: the JSON value plus where each value sits in the source, so
//! diagnostics can say "line 7, column 16" as well as `/api/regions/0`.

use crate::diagnostic::Position;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;

/// A manifest file that is well-formed JSON with an object at the top.
#[derive(Clone, Debug)]
pub struct Document {
    root: Map<String, Value>,
    positions: HashMap<String, Position>,
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
    pub fn parse(source: &[u8]) -> Result<Document, SyntaxError> {
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
            position: Some(Position { line: saturate(error.line()), column: saturate(error.column()) }),
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
        locator.value(String::new());
        Ok(Document { root, positions: locator.positions })
    }

    pub fn root(&self) -> &Map<String, Value> {
        &self.root
    }

    /// Where the value at `pointer` starts; for a missing value, its nearest present ancestor.
    pub fn position(&self, pointer: &str) -> Option<Position> {
        let mut pointer = pointer;
        loop {
            if let Some(position) = self.positions.get(pointer) {
                return Some(*position);
            }
            pointer = &pointer[..pointer.rfind('/')?];
        }
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

/// Walks text already known to be valid JSON and records where every value starts.
struct Locator<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    column: u32,
    positions: HashMap<String, Position>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Self {
        Locator { text, offset: 0, line: 1, column: 1, positions: HashMap::new() }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.offset..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let next = self.peek()?;
        self.offset += next.len_utf8();
        if next == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(next)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn value(&mut self, pointer: String) {
        self.skip_whitespace();
        self.positions.insert(pointer.clone(), Position { line: self.line, column: self.column });
        match self.peek() {
            Some('{') => self.object(&pointer),
            Some('[') => self.array(&pointer),
            Some('"') => {
                self.string();
            }
            _ => {
                while matches!(self.peek(), Some(c) if !matches!(c, ',' | '}' | ']' | ' ' | '\t' | '\n' | '\r')) {
                    self.bump();
                }
            }
        }
    }

    fn object(&mut self, pointer: &str) {
        self.bump();
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some('"') => {}
                _ => {
                    self.bump(); // `}` (the text is valid JSON, so nothing else can be here)
                    return;
                }
            }
            let key = self.string();
            self.skip_whitespace();
            self.bump(); // `:`
            self.value(format!("{pointer}/{}", pointer_token(&key)));
            self.skip_whitespace();
            if self.bump() != Some(',') {
                return;
            }
        }
    }

    fn array(&mut self, pointer: &str) {
        self.bump();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return;
        }
        let mut index = 0usize;
        loop {
            self.value(format!("{pointer}/{index}"));
            index += 1;
            self.skip_whitespace();
            if self.bump() != Some(',') {
                return;
            }
        }
    }

    /// Consumes a string literal and returns its decoded text.
    fn string(&mut self) -> String {
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
        serde_json::from_str(&self.text[start..self.offset]).unwrap_or_default()
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
}
