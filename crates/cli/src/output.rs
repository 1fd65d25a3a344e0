//! Terminal output: colour choice, ANSI painting and writes that survive a closed pipe.

use crate::args::ColorChoice;
use kensa_checks::render::Tone;
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

/// Writes to stdout; a reader that went away (`kensa ... | head`) ends the program quietly.
pub(crate) fn print(text: &str) {
    let mut stdout = io::stdout().lock();
    let result = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    if result.is_err_and(|error| error.kind() == io::ErrorKind::BrokenPipe) {
        std::process::exit(0);
    }
}
