//! `plain-provider [--port N] [--drops-reused-connections | --hangs-on-delete] [--regions us,eu] [--manifest-out FILE]`:
//! the standard-library provider of `kensa_e2e::plain` as a process, for `scripts/bench`.
#![allow(clippy::disallowed_methods, reason = "a host-side server: it reads the clock for SSO timestamps")]

use kensa_e2e::plain::{PlainBehaviour, PlainOptions, PlainProvider};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut options = PlainOptions::default();
    let mut manifest_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|port| port.parse().ok()) {
                Some(port) => options.port = port,
                None => return usage("--port needs a number"),
            },
            "--drops-reused-connections" => options.behaviour = PlainBehaviour::DropsReusedConnections,
            "--hangs-on-delete" => options.behaviour = PlainBehaviour::HangsOnDelete,
            "--regions" => match args.next() {
                Some(regions) => options.regions = regions.split(',').map(str::to_string).collect(),
                None => return usage("--regions needs a comma-separated list such as us,eu"),
            },
            "--manifest-out" => match args.next() {
                Some(path) => manifest_out = Some(path),
                None => return usage("--manifest-out needs a file name"),
            },
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let provider = match PlainProvider::start(options) {
        Ok(provider) => provider,
        Err(error) => {
            eprintln!("plain-provider: cannot listen: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = manifest_out
        && let Err(error) = std::fs::write(&path, format!("{:#}\n", provider.manifest()))
    {
        eprintln!("plain-provider: cannot write {path}: {error}");
        return ExitCode::from(2);
    }
    println!("plain-provider listening on {}", provider.origin());
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("plain-provider: {problem}");
    eprintln!(
        "usage: plain-provider [--port N] [--drops-reused-connections | --hangs-on-delete] [--regions us,eu] \
         [--manifest-out FILE]"
    );
    ExitCode::from(2)
}
