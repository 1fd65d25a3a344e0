fn main() -> std::process::ExitCode {
    kensa_cli::run(std::env::args_os().collect()).into()
}
