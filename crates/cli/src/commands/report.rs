//! `kensa report JSON_FILE`: a report saved with `--format json --output FILE`, rendered in
//! `--format` (to `--output`), with the exit code of the run it records. CI runs the checks
//! once and turns that one report into annotations and the other formats, instead of
//! provisioning again for each.

use crate::args::{Format, ReportArgs};
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::files::{Links, MAX_REPORT_BYTES};
use crate::output::print;
use kensa_checks::Report;
use kensa_checks::render;
use std::path::Path;

pub(crate) fn run(context: &Context, args: &ReportArgs) -> Result<ExitStatus> {
    crate::host::refuse_output_over(context, Some(&args.report))?;
    let report = read_report(&args.report)?;
    if context.format == Format::Human && context.output.is_none() {
        // `kensa test` streams this as it runs; here the whole report is known at once.
        print(&render::text(&report, context.paint()))?;
    } else {
        // The manifest, when it is there, places SARIF results of live checks at its base URL.
        let validation =
            crate::files::read_input(&context.manifest).ok().map(|source| kensa_manifest::validate(&source));
        crate::host::write_report(context, &report, &context.manifest, validation.as_ref())?;
    }
    Ok(ExitStatus::of(&report))
}

/// The report saved at `path`; a file that is missing, too large, not a regular file or not
/// a kensa JSON report is an error (exit 2).
fn read_report(path: &Path) -> Result<Report> {
    let bytes = crate::files::read_bounded(path, Links::Follow, MAX_REPORT_BYTES).map_err(|error| {
        let missing = error.kind() == std::io::ErrorKind::NotFound;
        let error = CliError::unreadable(path, &error);
        if missing { error.hint(WRITE_ONE) } else { error }
    })?;
    let not_a_report =
        |why: &str| CliError::new(format!("{} is not a kensa JSON report: {why}", path.display())).hint(WRITE_ONE);
    let text = std::str::from_utf8(&bytes).map_err(|_| not_a_report("it is not UTF-8 text"))?;
    let report = render::from_json(text).map_err(|error| not_a_report(&error))?;
    // Every run reports its manifest checks at least; an empty list is some other JSON
    // document (a manifest, the ledger), which must not pass as a run with no failure.
    if report.groups.is_empty() {
        return Err(not_a_report("it lists no checks"));
    }
    Ok(report)
}

const WRITE_ONE: &str = "write one with `kensa test ... --format json --output FILE`";
