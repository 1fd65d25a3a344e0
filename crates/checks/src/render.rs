//! Renderers: pure functions from a [`Report`](crate::Report) to text.
//!
//! Colour is not decided here: the text renderer marks spans with a [`Tone`] and the host
//! paints them (ANSI in the terminal, nothing in files, classes in the browser).

mod json;
mod junit;
mod text;

pub use json::{from_json, json};
pub use junit::junit;
pub use text::{Paint, TextWriter, Tone, check_lines, done_line, group_line, plain, text};
