fn main() -> std::process::ExitCode {
    kensa_cli::main()
}
