//! `kensa test ...`: runs check suites and prints their report.

use crate::args::Format;
use crate::error::CliError;
use crate::output::print;
use crate::{Context, ExitStatus, Result};
use kensa_checks::render::{self, TextWriter};
use kensa_checks::{Event, Report, check_manifest};

/// `kensa test manifest`.
pub(crate) fn manifest(context: &Context) -> Result<ExitStatus> {
    let path = &context.global.filename;
    let source = std::fs::read(path).map_err(|error| CliError::unreadable(path, &error))?;
    let mut report = Report::default();
    let mut writer = TextWriter::default();
    let human = context.format() == Format::Human;
    let paint = context.paint();
    let mut sink = |event: Event<'_>| {
        if human {
            print(&writer.event(event, paint));
        }
    };
    check_manifest(&source, &mut report, &mut sink);
    match context.format() {
        Format::Human => print(&writer.finish(paint)),
        Format::Json => print(&(render::json(&report) + "\n")),
    }
    Ok(if report.passed() {
        ExitStatus::Passed
    } else {
        ExitStatus::Failed
    })
}
