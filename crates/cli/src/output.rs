//! Terminal output: colour choice, ANSI painting and writes that survive a closed pipe.

use crate::args::ColorChoice;
use crate::error::{CliError, Result};
use kensa_checks::render::{Tone, visible};
use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

/// Decides whether stdout gets colour.
pub(crate) fn use_color(choice: ColorChoice, no_color_set: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_set && io::stdout().is_terminal(),
    }
}

pub(crate) fn ansi(tone: Tone, text: &str) -> String {
    let code = match tone {
        Tone::Pass => "32",
        Tone::Fail => "1;31",
        Tone::Warn => "33",
        Tone::Skip => "36",
        Tone::Detail => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Writes to stdout. A reader that went away (`kensa ... | head`) is
/// [`CliError::closed_pipe`], which ends the command quietly with exit code 0, as ripgrep
/// does; any other failure (`> /dev/full`, a full disk) is an error (exit code 2), since the
/// report was lost. Renderers already escape provider and manifest text; this is the last
/// line of defence for everything else printed (see [`terminal_safe`]).
pub(crate) fn print(text: &str) -> Result<()> {
    let text = terminal_safe(text);
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Err(CliError::closed_pipe()),
        Err(error) => Err(CliError::new(format!("cannot write to standard output: {error}"))),
    }
}

/// Writes `text` to stderr as [`print`] writes stdout (line breaks kept, other control
/// characters escaped): notes, prompts and errors beside the report. A closed stderr loses
/// it (`eprint!` would panic).
pub(crate) fn eprint(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(terminal_safe(text).as_bytes()).and_then(|()| stderr.flush());
}

/// Writes one line to stderr with every control character escaped, line breaks and colour
/// codes included ([`visible`]): a warning quotes paths and errors, which may hold anything.
/// A closed stderr loses the line (`eprintln!` would panic).
pub(crate) fn warn(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", visible(line));
}

/// `eprintln!` for warnings, through [`warn`].
macro_rules! warn_line {
    ($($arg:tt)*) => { $crate::output::warn(&format!($($arg)*)) };
}
pub(crate) use warn_line;

/// `text` with line breaks, tabs and the colour codes of [`ansi`] kept, and every other
/// control character shown escaped (`\e`, `\r`, `\u{9b}`, ...): nothing printed can clear the
/// screen, retitle the terminal or move the cursor.
pub(crate) fn terminal_safe(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(index) = rest.find(|c: char| kensa_checks::encoding::is_unsafe_char(c) && c != '\n' && c != '\t') {
        let (before, from) = rest.split_at(index);
        out.push_str(before);
        let colour = from
            .strip_prefix("\x1b[")
            .and_then(|after| after.find(|c: char| !c.is_ascii_digit() && c != ';').map(|end| (after, end)))
            .filter(|(after, end)| after[*end..].starts_with('m'))
            .map(|(_, end)| end + 3);
        let taken = colour.unwrap_or_else(|| from.chars().next().map_or(1, char::len_utf8));
        match colour {
            Some(_) => out.push_str(&from[..taken]),
            None => out.push_str(&visible(&from[..taken])),
        }
        rest = &from[taken..];
    }
    if rest.len() == text.len() {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever reaches stdout, only kensa's colours and line breaks stay raw.
    #[test]
    fn printed_text_keeps_colours_and_line_breaks_and_escapes_other_controls() {
        let painted = ansi(Tone::Pass, "[PASS]");
        assert_eq!(terminal_safe(&format!("a\tb\n{painted}\n")), format!("a\tb\n{painted}\n"));
        assert_eq!(
            terminal_safe("x\x1b[2J\x1b]0;t\x07\r[PASS]\0\u{9b}1m\x1b[31"),
            "x\\e[2J\\e]0;t\\x07\\r[PASS]\\x00\\u{9b}1m\\e[31"
        );
    }
}
