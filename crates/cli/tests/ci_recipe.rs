//! The GitHub Actions workflow of `docs/ci.md`, run as GitHub runs its shell steps: in order,
//! with the workflow's shell and `env:`, `$GITHUB_ENV` carried from step to step, the
//! install step replaced by the `kensa` just built and the `uses:` steps left out. The job
//! runs in a folder made by `kensa create --template python`, as a checkout has it; once
//! with a fault (the annotations point at the failed check and the manifest's line, and the
//! last step fails) and once without (every step passes).
#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side test: child processes, temporary folders, the environment")]

mod common;

use common::run;
use common::tools::{installed, program_ready, ready};
use saphyr::{LoadableYamlNode, Yaml};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The name of the step the test replaces by putting the freshly built `kensa` on `PATH`.
const INSTALL_STEP: &str = "Install kensa";
/// README.md's install line, which the install step must run.
const INSTALL_LINE: &str = "cargo install --locked --git https://github.com/kensa-rs/kensa kensa-cli";
/// The shell the workflow's `defaults.run.shell` must name: GitHub's `bash` with `-u` added.
const SHELL: &str = "bash --noprofile --norc -euo pipefail {0}";
/// How long one step may take before the test gives up on it.
const STEP_DEADLINE: Duration = Duration::from_secs(120);

fn repository_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// One step of the job.
enum Step {
    /// `uses:` an action, which only GitHub can run.
    Action { uses: String, condition: Option<String>, with: Vec<(String, String)> },
    /// `run:` a script, with the step's own `env:`.
    Script { name: String, script: String, env: Vec<(String, String)> },
}

struct Workflow {
    permissions: Vec<(String, String)>,
    env: Vec<(String, String)>,
    steps: Vec<Step>,
}

fn string(node: &Yaml<'_>, what: &str) -> String {
    node.as_str().unwrap_or_else(|| panic!("{what} is not a string")).to_string()
}

/// A mapping's keys, each of which must be one of `known`: a key the test does not model
/// (`working-directory`, `continue-on-error`, a job's own `env`) would change what GitHub
/// does without the test noticing.
fn fields<'a, 'input>(node: &'a Yaml<'input>, what: &str, known: &[&str]) -> Vec<(String, &'a Yaml<'input>)> {
    let mapping = node.as_mapping().unwrap_or_else(|| panic!("{what} is not a mapping"));
    mapping
        .iter()
        .map(|(key, value)| {
            let key = string(key, &format!("a key of {what}"));
            assert!(known.contains(&key.as_str()), "{what} has `{key}`, which this test does not model");
            (key, value)
        })
        .collect()
}

fn string_pairs(node: &Yaml<'_>, what: &str) -> Vec<(String, String)> {
    node.as_mapping()
        .unwrap_or_else(|| panic!("{what} is not a mapping"))
        .iter()
        .map(|(key, value)| {
            // Inputs such as `retention-days: 7` are numbers in YAML, strings to the action.
            let value = value.as_integer().map_or_else(|| string(value, &format!("{what} value")), |n| n.to_string());
            (string(key, what), value)
        })
        .collect()
}

/// An `env:` mapping, which the test applies as it is.
fn environment(node: &Yaml<'_>, what: &str) -> Vec<(String, String)> {
    let pairs = string_pairs(node, what);
    for (name, value) in &pairs {
        // An expression is evaluated by GitHub, not by bash: the test could not run it.
        assert!(!value.contains("${{"), "{what} {name} holds an expression");
    }
    pairs
}

/// The one `yaml` block of docs/ci.md, read as GitHub reads a workflow.
fn workflow() -> Workflow {
    let page = std::fs::read_to_string(repository_file("docs/ci.md")).unwrap();
    let blocks: Vec<&str> = page.split("```yaml\n").skip(1).map(|rest| rest.split("\n```").next().unwrap()).collect();
    assert_eq!(blocks.len(), 1, "docs/ci.md has one workflow");
    let documents = Yaml::load_from_str(blocks[0]).unwrap();
    let [document] = documents.as_slice() else { panic!("the workflow is one YAML document") };
    let top = fields(document, "the workflow", &["name", "on", "permissions", "env", "defaults", "jobs"]);
    let get = |key: &str| top.iter().find(|(name, _)| name == key).map(|(_, value)| *value);
    let shell = get("defaults").and_then(|defaults| defaults.as_mapping_get("run")?.as_mapping_get("shell"));
    assert_eq!(shell.and_then(Yaml::as_str), Some(SHELL), "the steps' shell");
    let jobs = get("jobs").unwrap().as_mapping().unwrap();
    assert_eq!(jobs.len(), 1, "one job");
    let job = fields(jobs.values().next().unwrap(), "the job", &["runs-on", "timeout-minutes", "steps"]);
    let steps = job.iter().find(|(key, _)| key == "steps").unwrap().1.as_sequence().unwrap();
    let steps = steps
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let what = format!("step {}", index + 1);
            let step = fields(node, &what, &["name", "id", "uses", "with", "if", "run", "env"]);
            let get = |key: &str| step.iter().find(|(name, _)| name == key).map(|(_, value)| *value);
            match (get("uses"), get("run")) {
                (Some(uses), None) => Step::Action {
                    uses: string(uses, &what),
                    condition: get("if").map(|condition| string(condition, &what)),
                    with: get("with").map(|with| string_pairs(with, &what)).unwrap_or_default(),
                },
                (None, Some(script)) => {
                    assert!(get("if").is_none(), "{what}: a condition on a run step is not modelled");
                    let script = string(script, &what);
                    assert!(!script.contains("${{"), "{what} holds an expression, which only GitHub evaluates");
                    Step::Script {
                        name: get("name").map(|name| string(name, &what)).unwrap_or_else(|| what.clone()),
                        script,
                        env: get("env").map(|env| environment(env, &what)).unwrap_or_default(),
                    }
                }
                _ => panic!("{what} has one of `uses` and `run`"),
            }
        })
        .collect();
    Workflow {
        permissions: get("permissions").map(|node| string_pairs(node, "permissions")).unwrap_or_default(),
        env: get("env").map(|node| environment(node, "env")).unwrap_or_default(),
        steps,
    }
}

/// Every process group a step started, killed when dropped (when a test fails too): a
/// service a step left running in the background never outlives the test.
#[derive(Default)]
struct ProcessGroups(Vec<u32>);

impl Drop for ProcessGroups {
    fn drop(&mut self) {
        for group in &self.0 {
            let _ =
                Command::new("kill").args(["-s", "KILL", "--", &format!("-{group}")]).stderr(Stdio::null()).status();
        }
    }
}

/// How a script step ended.
struct StepResult {
    name: String,
    /// `None`: not run.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the job's script steps in `workspace`, with the workflow's `PORT` replaced by `port`
/// (the manifest's test URLs point there): in order, each in a process group of its own,
/// until one fails, as GitHub skips the steps after a failed one.
fn run_job(workflow: &Workflow, workspace: &Path, port: u16, groups: &mut ProcessGroups) -> Vec<StepResult> {
    let runner = tempfile::tempdir().unwrap();
    let kensa_folder = Path::new(env!("CARGO_BIN_EXE_kensa")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(kensa_folder).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let mut exported: Vec<(String, String)> = Vec::new();
    let mut results = Vec::new();
    for (index, step) in workflow.steps.iter().enumerate() {
        let Step::Script { name, script, env } = step else { continue };
        let skip = |why: &str| StepResult { name: name.clone(), code: None, stdout: String::new(), stderr: why.into() };
        if name == INSTALL_STEP {
            assert!(script.contains(INSTALL_LINE), "the install step runs README.md's line:\n{script}");
            results.push(skip("replaced by the kensa this test built"));
            continue;
        }
        let file = |suffix: &str| runner.path().join(format!("step-{index}.{suffix}"));
        std::fs::write(file("sh"), script).unwrap();
        std::fs::write(file("env"), "").unwrap();
        let mut shell =
            SHELL.split(' ').map(|word| if word == "{0}" { file("sh").into_os_string() } else { word.into() });
        let mut command = Command::new(shell.next().unwrap());
        command
            .args(shell)
            .current_dir(workspace)
            .env("PATH", &path)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("RUNNER_TEMP", runner.path())
            .env("GITHUB_ENV", file("env"))
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(file("out")).unwrap())
            .stderr(std::fs::File::create(file("err")).unwrap())
            .process_group(0);
        for (variable, value) in workflow.env.iter().chain(&exported).chain(env) {
            command.env(variable, if variable == "PORT" { port.to_string() } else { value.clone() });
        }
        let mut child = command.spawn().unwrap();
        groups.0.push(child.id());
        let deadline = Instant::now() + STEP_DEADLINE;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the step `{name}` still runs after {STEP_DEADLINE:?}");
            std::thread::sleep(Duration::from_millis(20));
        };
        let read = |suffix: &str| std::fs::read_to_string(file(suffix)).unwrap();
        for line in read("env").lines().filter(|line| !line.is_empty()) {
            let (variable, value) =
                line.split_once('=').unwrap_or_else(|| panic!("`{name}` wrote {line:?} to GITHUB_ENV"));
            exported.retain(|(known, _)| known != variable);
            exported.push((variable.to_string(), value.to_string()));
        }
        let code = status.code().unwrap_or_else(|| panic!("the step `{name}` ended by {status}"));
        results.push(StepResult { name: name.clone(), code: Some(code), stdout: read("out"), stderr: read("err") });
        if code != 0 {
            break;
        }
    }
    results
}

/// Every step's output, for a failure message.
fn shown(results: &[StepResult]) -> String {
    results
        .iter()
        .map(|step| format!("--- {} (exit {:?})\n{}{}", step.name, step.code, step.stdout, step.stderr))
        .collect()
}

fn step<'a>(results: &'a [StepResult], name: &str) -> &'a StepResult {
    results.iter().find(|step| step.name == name).unwrap_or_else(|| panic!("no step `{name}`:\n{}", shown(results)))
}

/// Whether the tools the workflow's steps call are here (and, under CI, that they must be).
fn tools_ready() -> bool {
    let openssl = Command::new("openssl").arg("version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    program_ready("python3", "the CI recipe test")
        && program_ready("curl", "the CI recipe test")
        && program_ready("jq", "the CI recipe test")
        && ready("`openssl`", openssl, "the CI recipe test")
        && ready("GNU `sed`", installed("sed"), "the CI recipe test")
}

/// A repository as a checkout of a `kensa create --template python` service has it: the
/// template without its `.env` (which `.gitignore` keeps out of git), the manifest's test
/// URLs on `port`. Returns the workspace and its manifest as committed.
fn checkout(dir: &Path, port: u16) -> (PathBuf, String) {
    let created = run(&["create", "myaddon", "--template", "python"], dir);
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    let workspace = dir.join("myaddon");
    assert!(std::fs::read_to_string(workspace.join(".gitignore")).unwrap().lines().any(|line| line == ".env"));
    std::fs::remove_file(workspace.join(".env")).unwrap();
    let manifest = std::fs::read_to_string(workspace.join("addon-manifest.json")).unwrap();
    assert!(manifest.contains("http://localhost:5000/"), "{manifest}");
    let manifest = manifest.replace("http://localhost:5000/", &format!("http://127.0.0.1:{port}/"));
    std::fs::write(workspace.join("addon-manifest.json"), &manifest).unwrap();
    (workspace, manifest)
}

/// Replaces the one `from` in `path` by `to`.
fn plant(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from:?} in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The secrets step gave the run fresh ones: they are in the checked-out manifest, in no
/// line of output but the `::add-mask::` ones GitHub consumes, and every other line of the
/// manifest is as committed.
fn check_fresh_secrets(workspace: &Path, committed: &str, results: &[StepResult]) {
    let manifest = std::fs::read_to_string(workspace.join("addon-manifest.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let committed_value: serde_json::Value = serde_json::from_str(committed).unwrap();
    for key in ["password", "sso_salt"] {
        let secret = value["api"][key].as_str().unwrap();
        assert_eq!(secret.len(), 32, "{key}");
        assert_ne!(value["api"][key], committed_value["api"][key], "{key} is fresh");
        for step in results {
            let outside_masks = format!("{}{}", step.stdout, step.stderr)
                .lines()
                .filter(|line| !line.starts_with("::add-mask::"))
                .any(|line| line.contains(secret));
            assert!(!outside_masks, "`{}` printed the {key}:\n{}", step.name, shown(results));
        }
    }
    let changed: Vec<(&str, &str)> = committed.lines().zip(manifest.lines()).filter(|(was, is)| was != is).collect();
    assert_eq!(committed.lines().count(), manifest.lines().count(), "{manifest}");
    assert_eq!(changed.len(), 2, "only the password's and the salt's lines change: {changed:?}");
}

fn sarif_results(workspace: &Path) -> Vec<serde_json::Value> {
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace.join("kensa.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"].as_array().unwrap().clone()
}

/// With the plan change answering 500 and a feature name Heroku does not know planted in the
/// manifest, every step passes up to the last one, which fails the job; the annotations
/// name the failed check and the manifest's line and column, and the SARIF file has both.
#[test]
fn a_failing_run_annotates_the_check_and_the_manifest_line_and_fails_the_job() {
    if !tools_ready() {
        return;
    }
    let workflow = workflow();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (workspace, _) = checkout(dir.path(), port);
    let manifest_path = workspace.join("addon-manifest.json");
    plant(&manifest_path, "\"requires\": []", "\"requires\": [\"syslog_drains\"]");
    plant(
        &workspace.join("app.py"),
        "self.json(200, {\"config\": config_for(resource), \"message\": \"plan changed",
        "self.json(500, {\"config\": config_for(resource), \"message\": \"plan changed",
    );
    let committed = std::fs::read_to_string(&manifest_path).unwrap();
    let (line, text) = committed.lines().enumerate().find(|(_, text)| text.contains("syslog_drains")).unwrap();
    let (line, column) = (line + 1, text.find("\"syslog_drains\"").unwrap() + 1);

    let mut groups = ProcessGroups::default();
    let results = run_job(&workflow, &workspace, port, &mut groups);
    drop(groups);
    let all = shown(&results);
    let (last, before) = results.split_last().unwrap();
    assert_eq!(last.name, "Fail if a check failed", "the job runs to its last step:\n{all}");
    assert_eq!(last.code, Some(1), "{all}");
    assert!(last.stdout.contains("::error::kensa test exited with 1: a check failed"), "{all}");
    assert!(before.iter().all(|step| step.code.is_none_or(|code| code == 0)), "{all}");
    check_fresh_secrets(&workspace, &committed, &results);

    let annotations = &step(&results, "Annotate the manifest and the log").stdout;
    let warning = format!(
        "::warning file=addon-manifest.json,line={line},col={column},title=M22 requires only known features::\
         `syslog_drains` is not a feature kensa knows; Heroku may reject it"
    );
    assert!(annotations.contains(&warning), "{annotations}");
    // The page shows this very annotation.
    let page = std::fs::read_to_string(repository_file("docs/ci.md")).unwrap();
    let shown_on_the_page = page.split("```text\n").nth(1).and_then(|rest| rest.split('\n').next()).unwrap();
    assert!(annotations.lines().any(|line| line == shown_on_the_page), "{shown_on_the_page}\n{annotations}");
    let failed = annotations.lines().find(|line| line.starts_with("::error title=C01 response::")).unwrap_or_default();
    assert!(failed.starts_with("::error title=C01 response::PUT /heroku/resources/"), "{annotations}");
    assert!(failed.contains("expected 200, got 500"), "{annotations}");
    let titles: Vec<&str> = annotations
        .lines()
        .filter(|line| line.starts_with("::"))
        .map(|line| line.split("title=").nth(1).unwrap_or_default().split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(titles, ["M22", "C01", "C01"], "only the planted faults: {annotations}");
    assert!(annotations.lines().last().unwrap().starts_with("kensa failed: "), "{annotations}");

    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace.join("kensa.har")).unwrap()).unwrap();
    let plan_change =
        har["log"]["entries"].as_array().unwrap().iter().find(|entry| entry["request"]["method"] == "PUT");
    assert_eq!(plan_change.map(|entry| &entry["response"]["status"]), Some(&serde_json::json!(500)), "{har}");

    let results = sarif_results(&workspace);
    let rule = |id: &str| results.iter().find(|result| result["ruleId"] == id).cloned();
    assert!(rule("C01").is_some(), "{results:?}");
    let location = &rule("M22").unwrap()["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "addon-manifest.json");
    assert_eq!(location["region"]["startLine"], line);
}

/// The template as `kensa create` wrote it: every step passes, with no annotation but the
/// summary line.
#[test]
fn a_passing_run_passes_every_step() {
    if !tools_ready() {
        return;
    }
    let workflow = workflow();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (workspace, committed) = checkout(dir.path(), port);
    let mut groups = ProcessGroups::default();
    let results = run_job(&workflow, &workspace, port, &mut groups);
    drop(groups);
    let all = shown(&results);
    let scripts = workflow.steps.iter().filter(|step| matches!(step, Step::Script { .. })).count();
    assert_eq!(results.len(), scripts, "every step ran:\n{all}");
    assert!(results.iter().all(|step| step.code.is_none_or(|code| code == 0)), "{all}");
    check_fresh_secrets(&workspace, &committed, &results);
    let annotations = &step(&results, "Annotate the manifest and the log").stdout;
    assert!(!annotations.contains("::"), "{annotations}");
    assert!(annotations.starts_with("kensa passed: "), "{annotations}");
    assert_eq!(sarif_results(&workspace), Vec::<serde_json::Value>::new());
}

/// The steps only GitHub runs are there as the recipe says: the SARIF upload, with its
/// permission, and the HAR's, even after a failed step; and the page is on the docs site, installing kensa
/// as README.md does.
#[test]
fn the_workflow_uploads_sarif_and_the_page_is_on_the_docs_site() {
    let workflow = workflow();
    assert!(workflow.permissions.contains(&("security-events".to_string(), "write".to_string())));
    let upload = workflow.steps.iter().find_map(|step| match step {
        Step::Action { uses, condition, with } if uses.starts_with("github/codeql-action/upload-sarif@") => {
            Some((condition, with))
        }
        _ => None,
    });
    let (condition, with) = upload.unwrap();
    assert!(condition.as_deref().is_some_and(|condition| condition.starts_with("always()")), "{condition:?}");
    assert!(with.contains(&("sarif_file".to_string(), "kensa.sarif".to_string())), "{with:?}");
    let writes_sarif = workflow.steps.iter().any(
        |step| matches!(step, Step::Script { script, .. } if script.contains("--format sarif --output kensa.sarif")),
    );
    assert!(writes_sarif);
    let keeps_har = workflow.steps.iter().any(|step| {
        matches!(step, Step::Action { uses, condition, with } if uses.starts_with("actions/upload-artifact@")
            && condition.as_deref().is_some_and(|condition| condition.starts_with("always()"))
            && with.contains(&("path".to_string(), "kensa.har".to_string())))
    });
    assert!(keeps_har, "the HAR is uploaded, even after a failed step");
    let installs =
        workflow.steps.iter().filter(|step| matches!(step, Step::Script { name, .. } if name == INSTALL_STEP));
    assert_eq!(installs.count(), 1);

    let read = |path: &str| std::fs::read_to_string(repository_file(path)).unwrap();
    assert!(read("README.md").contains(INSTALL_LINE));
    assert!(read("README.md").contains("](docs/ci.md)"));
    assert_eq!(read("docs/book/ci.md"), "{{#include ../ci.md}}\n");
    assert!(read("docs/book/SUMMARY.md").contains("](ci.md)"));
}
