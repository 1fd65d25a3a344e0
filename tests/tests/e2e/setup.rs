//! `scripts/setup --dry-run` plans one install per missing piece and nothing for a piece
//! that works, wherever it came from. Run with `PATH` set to a folder of stand-in commands,
//! so no fresh machine is needed: a stand-in prints the version `scripts/tools.env` asks for,
//! and any install command a dry run must never call leaves a mark.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `NAME=VALUE` lines of scripts/tools.env, comments cut off.
fn tool_versions() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("scripts/tools.env")).unwrap();
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(name, _)| name.ends_with("_VERSION"))
        .map(|(name, value)| (name.to_owned(), value.split('#').next().unwrap().trim().to_owned()))
        .collect()
}

/// A machine made of stand-ins: `bin/` is the whole PATH, `home/` is HOME.
struct Machine {
    folder: tempfile::TempDir,
}

impl Machine {
    /// Every piece the tests need works.
    fn complete() -> Machine {
        let machine = Machine { folder: tempfile::tempdir().unwrap() };
        std::fs::create_dir_all(machine.bin()).unwrap();
        let versions = tool_versions();
        let version = |name: &str| versions[name].clone();
        machine.command("cargo", "exit 0");
        machine
            .command("rustup", r#"[ "$1 $2 $3" = "target list --installed" ] && echo wasm32-unknown-unknown; exit 0"#);
        machine.command("wasm-bindgen", &format!("echo 'wasm-bindgen {}'", version("WASM_BINDGEN_VERSION")));
        machine.command("trunk", &format!("echo 'trunk {}'", version("TRUNK_VERSION")));
        machine.command("wasm-pack", &format!("echo 'wasm-pack {}'", version("WASM_PACK_VERSION")));
        machine.command("geckodriver", &format!("echo 'geckodriver {}'; echo more", version("GECKODRIVER_VERSION")));
        machine.command("mdbook", &format!("echo 'mdbook v{}'", version("MDBOOK_VERSION")));
        for program in ["curl", "git", "openssl", "jq", "node", "chromium", "chromedriver", "firefox-esr", "ruby"] {
            machine.command(program, "exit 0");
        }
        machine.python3(&format!("echo '{}'", version("SELENIUM_VERSION")));
        // Installers: a dry run must call none of them.
        for installer in ["apt-get", "sudo", "npm"] {
            machine.command(
                installer,
                &format!(r#"[ "$1" = "--version" ] && exit 0; : > "$HOME/called-{installer}"; exit 1"#),
            );
        }
        let binaryen = version("BINARYEN_NPM_VERSION");
        let major = binaryen.split('.').next().unwrap();
        let wasm_opt = machine.home().join(format!(".cache/ci-tools/binaryen-{binaryen}/node_modules/.bin"));
        std::fs::create_dir_all(&wasm_opt).unwrap();
        write_script(&wasm_opt.join("wasm-opt"), &format!("echo 'wasm-opt version {major} (version_{major})'"));
        machine
    }

    fn bin(&self) -> PathBuf {
        self.folder.path().join("bin")
    }

    fn home(&self) -> PathBuf {
        self.folder.path().join("home")
    }

    fn command(&self, name: &str, body: &str) {
        write_script(&self.bin().join(name), body);
    }

    /// A python3 whose `python3 -c ...` (the only way scripts/setup asks it anything) runs
    /// `answer`; `python3 -m pip` leaves a mark, as an installer must in a dry run.
    fn python3(&self, answer: &str) {
        self.command(
            "python3",
            &format!(r#"[ "$1" = "-m" ] && {{ : > "$HOME/called-pip"; exit 1; }}; [ "$1" = "-c" ] && {{ {answer}; }}; exit 0"#),
        );
    }

    fn remove(&self, name: &str) {
        std::fs::remove_file(self.bin().join(name)).unwrap();
    }

    /// The plan: one line per piece to install, or "nothing to install".
    fn dry_run(&self) -> String {
        let output = Command::new("/bin/bash")
            .arg(root().join("scripts/setup"))
            .arg("--dry-run")
            .env_clear()
            .env("PATH", self.bin())
            .env("HOME", self.home())
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "scripts/setup --dry-run failed:\n{stdout}{stderr}");
        // Anything on stderr is a command the dry run called that is not a stand-in.
        assert_eq!(stderr, "", "the dry run called something outside its PATH");
        for installer in ["apt-get", "sudo", "npm", "pip"] {
            assert!(
                !self.home().join(format!("called-{installer}")).exists(),
                "the dry run called {installer}:\n{stdout}"
            );
        }
        stdout
    }
}

fn write_script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The install commands of a plan, e.g. `apt-get install ruby`.
fn installs(plan: &str) -> Vec<String> {
    plan.lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().collect::<Vec<_>>().get(1..4).map(|words| words.join(" ")))
        .collect()
}

#[test]
fn with_every_tool_present_setup_plans_nothing() {
    let machine = Machine::complete();
    let plan = machine.dry_run();
    assert!(plan.starts_with("scripts/setup: nothing to install"), "{plan}");
}

#[test]
fn without_ruby_setup_plans_rubys_packages_one_by_one_and_nothing_for_node() {
    let machine = Machine::complete();
    machine.remove("ruby");
    let plan = machine.dry_run();
    assert!(plan.starts_with("scripts/setup: would install 3 piece(s):"), "{plan}");
    assert_eq!(
        installs(&plan),
        ["apt-get install ruby", "apt-get install ruby-sinatra", "apt-get install ruby-webrick"],
        "{plan}"
    );
    assert!(plan.contains("because ruby is not on PATH"), "{plan}");
    assert!(!plan.contains("nodejs") && !plan.contains("install npm"), "node and npm work as they are:\n{plan}");
}

#[test]
fn a_ruby_without_sinatra_gets_only_sinatra() {
    let machine = Machine::complete();
    machine.command("ruby", r#"case "$2" in *sinatra*) exit 1;; esac; exit 0"#);
    let plan = machine.dry_run();
    assert_eq!(installs(&plan), ["apt-get install ruby-sinatra"], "{plan}");
    assert!(plan.contains(r#"ruby cannot load "sinatra/base""#), "{plan}");
}

#[test]
fn a_tool_at_another_version_is_planned_with_the_version_it_has() {
    let machine = Machine::complete();
    machine.command("trunk", "echo 'trunk 0.22.1'");
    machine.remove("node");
    let plan = machine.dry_run();
    let trunk = tool_versions()["TRUNK_VERSION"].clone();
    assert_eq!(installs(&plan), ["apt-get install nodejs", "cargo install trunk"], "{plan}");
    assert!(plan.contains(&format!("--version {trunk}")), "{plan}");
    assert!(plan.contains(&format!("trunk is trunk 0.22.1, not trunk {trunk}")), "{plan}");
}

#[test]
fn without_selenium_setup_plans_exactly_its_pip_install() {
    let machine = Machine::complete();
    machine.python3("exit 1");
    let plan = machine.dry_run();
    let selenium = tool_versions()["SELENIUM_VERSION"].clone();
    assert!(plan.starts_with("scripts/setup: would install 1 piece(s):"), "{plan}");
    assert_eq!(installs(&plan), ["python3 -m pip"], "{plan}");
    assert!(plan.contains(&format!("python3 -m pip install selenium=={selenium}")), "{plan}");
    assert!(plan.contains("because python3 cannot import selenium"), "{plan}");
}

#[test]
fn a_selenium_at_another_version_is_planned_with_the_version_it_has() {
    let machine = Machine::complete();
    machine.python3("echo 4.0.0");
    let plan = machine.dry_run();
    let selenium = tool_versions()["SELENIUM_VERSION"].clone();
    assert_eq!(installs(&plan), ["python3 -m pip"], "{plan}");
    assert!(plan.contains(&format!("python3's selenium is 4.0.0, not {selenium}")), "{plan}");
}
