//! A test that is the guide, so the guide and kensa cannot drift apart: the seed guide our
//! users follow, `fixtures/seed-guide.md` (Heroku's "Building a Heroku add-on"), walked step
//! by step with its own commands and its own Sinatra snippets, read from the guide itself.
//!
//! The test writes an `app.rb` that starts as a bare Sinatra app with the smallest
//! in-memory `Database` the snippets call, and adds each of the guide's snippets when the
//! guide does. Before each of the guide's commands it (re)starts the app, as a reader
//! would, runs the command, and checks that it fails or passes where the guide says, with
//! the lines the guide shows. Where this kensa is stricter than the guide (a v3 manifest:
//! Heroku's uuid in the path, idempotent provisioning), the failure must name the fix;
//! where the guide is wrong for today's API, a comment says so and the test checks what
//! kensa says instead.
//!
//! Needs `ruby` with Sinatra and WEBrick (Debian: `ruby`, `ruby-sinatra`, `ruby-webrick`):
//! skipped without them, except under CI (`CI` or `KENSA_REQUIRE_TEMPLATE_TOOLS` set), which fails.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(
    clippy::disallowed_methods,
    reason = "host-side test: temporary folders, child processes, the environment and the clock"
)]

mod common;

use common::tools::ready;
use common::{Run, kensa};
use serde_json::Value;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SEED: &str = include_str!("fixtures/seed-guide.md");

// ---------- the guide ----------

/// One fenced block of the guide, with the headings it sits under.
struct Block {
    /// The `## ` heading, such as `Provisioning`.
    section: String,
    /// The `### ` heading, such as `1. Test provision - fail`.
    step: String,
    /// The info string: `ruby`, `term`, `json`.
    language: String,
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let (mut section, mut step) = (String::new(), String::new());
    let mut found = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_string();
            step.clear();
        } else if let Some(heading) = line.strip_prefix("### ") {
            step = heading.trim().to_string();
        } else if let Some(info) = line.trim_start().strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|line| !line.trim_start().starts_with("```")).collect();
            let language = info.trim().to_string();
            found.push(Block { section: section.clone(), step: step.clone(), language, text: body.join("\n") + "\n" });
        }
    }
    found
}

/// The `index`th `language` block under `section` / `step`; the test fails loudly when
/// the guide no longer has it.
fn snippet(section: &str, step: &str, language: &str, index: usize) -> String {
    let all = blocks(SEED);
    let matching: Vec<&Block> = all
        .iter()
        .filter(|block| block.section == section && block.step == step && block.language == language)
        .collect();
    matching
        .get(index)
        .unwrap_or_else(|| panic!("the seed guide has no {language} block #{index} under {section} / {step}"))
        .text
        .clone()
}

/// A ```` ```term ```` block of the guide: its `$ kensa` command (if it shows one) and the
/// lines it shows kensa printing (blank lines and `...` left out).
struct Shown {
    command: Option<Vec<String>>,
    lines: Vec<String>,
}

fn shown(section: &str, step: &str) -> Shown {
    let text = snippet(section, step, "term", 0);
    let mut command = None;
    let mut lines = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if let Some(words) = line.strip_prefix("$ kensa ") {
            command = Some(words.split_whitespace().map(str::to_string).collect());
        } else if !line.trim().is_empty() && line.trim() != "..." {
            lines.push(line.to_string());
        }
    }
    Shown { command, lines }
}

impl Shown {
    /// The command's words after `kensa`, with the guide's example resource `123` replaced
    /// by `id`.
    fn args(&self, id: &str) -> Vec<String> {
        let words = self.command.clone().expect("the guide shows a kensa command here");
        words.into_iter().map(|word| if word == "123" { id.to_string() } else { word }).collect()
    }

    /// The shown lines, with `123` replaced by `id`.
    fn lines_for(&self, id: &str) -> Vec<String> {
        self.lines.iter().map(|line| line.replace("/123", &format!("/{id}"))).collect()
    }
}

/// Fails unless each of `expected` starts one of the printed lines, in order (kensa adds
/// detail at the end of some: `! expected 401, got 200 with a wrong username`).
fn assert_lines(what: &str, expected: &[String], run: &Run) {
    let printed: Vec<&str> = run.stdout.lines().map(str::trim_end).collect();
    let mut from = 0;
    for wanted in expected {
        match printed[from..].iter().position(|line| line.starts_with(wanted.as_str())) {
            Some(at) => from += at + 1,
            None => panic!("{what}: kensa did not print (in order) the guide's line\n{wanted}\nIt printed:\n{run}"),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}{}(exit {})", self.stdout, self.stderr, self.code)
    }
}

/// The `[FAIL]` lines of a report.
fn failures(run: &Run) -> Vec<&str> {
    run.stdout.lines().filter(|line| line.ends_with("[FAIL]") || line.contains("[FAIL] ")).collect()
}

/// What D01 says when the guide's `Database.create!` makes a new resource for a repeated
/// uuid: the fix, in the guide's terms.
const D01_FIX: &str = "Heroku may send a provision more than once, so keep its `uuid` with the resource (unique) and \
                       answer a repeat with the resource you already made";

/// What D03 says when the same provision, overlapping, makes a resource per request.
const D03_FIX: &str =
    "put a unique constraint on uuid and, when an insert hits it, answer with the resource already made";

/// A `kensa test provision` (or `kensa run`) of the guide's service: the only checks that
/// fail are D01 and D03 (its overlapping repeats each make a resource too), and they name
/// the fix. Returns the provider's id and, in v3, Heroku's uuid.
fn assert_only_idempotency_fails(what: &str, run: &Run) -> (String, Option<String>) {
    assert_eq!(run.code, 1, "{what}: {run}");
    assert_eq!(
        failures(run),
        ["  Check repeated uuid returns the same id [FAIL]", "  Check overlapping repeats return one id [FAIL]"],
        "{what}: {run}"
    );
    assert!(run.stdout.contains(D01_FIX), "{what}: D01 names the fix: {run}");
    assert!(run.stdout.contains(D03_FIX), "{what}: D03 names the fix: {run}");
    let line = run.stdout.lines().find(|line| line.contains("Check contains an id [PASS] (id ")).unwrap();
    let keys = line.split_once("(id ").unwrap().1.trim_end_matches(')');
    match keys.split_once(", uuid ") {
        Some((id, uuid)) => (id.to_string(), Some(uuid.to_string())),
        None => (keys.to_string(), None),
    }
}

// ---------- the reader's service ----------

/// What the guide's snippets need around them: Sinatra on WEBrick at `PORT`, and the
/// smallest in-memory `Database` with the calls they make (`create!`, `find`, `destroy`,
/// `change_plan`, `id`, `url`).
const PRELUDE: &str = r#"require 'sinatra'
require 'json'

set :server, 'webrick'
set :bind, '127.0.0.1'
set :port, Integer(ENV.fetch('PORT'))

class Database
  @all = {}
  @count = 0

  class << self
    def create!
      db = new((@count += 1).to_s)
      @all[db.id] = db
    end

    def find(id)
      FIND_MISS
    end

    def forget(id)
      @all.delete(id)
    end
  end

  attr_reader :id, :plan

  def initialize(id)
    @id = id
    @plan = 'test'
  end

  def url
    "mysql://#{id}:secret-#{id}@localhost:3306/#{id}"
  end

  def destroy
    Database.forget(id)
  end

  def change_plan(plan)
    @plan = plan
  end
end

"#;

/// What the stand-in `Database.find` does with a key it does not know.
#[derive(Clone, Copy)]
enum FindMiss {
    /// Raises, as ActiveRecord's `find` does; Sinatra answers `Sinatra::NotFound` with 404.
    Raises404,
    /// Returns nil, as a hash or Sequel's `Model[id]` does; the guide's
    /// `Database.find(params[:id]).destroy` then raises NoMethodError, a 500.
    ReturnsNil,
}

impl FindMiss {
    fn ruby(self) -> &'static str {
        match self {
            FindMiss::Raises404 => "@all.fetch(id) { raise Sinatra::NotFound }",
            FindMiss::ReturnsNil => "@all[id]",
        }
    }
}

/// The guide's service: `app.rb` in the project folder, grown snippet by snippet and
/// started afresh (an empty `Database`) for each command.
struct App {
    dir: PathBuf,
    port: u16,
    source: String,
    child: Option<Child>,
}

impl App {
    fn new(dir: &Path, find_miss: FindMiss) -> App {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let source = PRELUDE.replace("FIND_MISS", find_miss.ruby());
        App { dir: dir.to_path_buf(), port, source, child: None }
    }

    fn add(&mut self, snippet: &str) {
        self.source.push_str(snippet);
        self.source.push('\n');
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.join("app.log")).unwrap_or_default()
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Writes `app.rb`, starts `ruby app.rb` and waits until it listens.
    fn restart(&mut self) {
        self.stop();
        fs::write(self.dir.join("app.rb"), &self.source).unwrap();
        let log = fs::File::create(self.dir.join("app.log")).unwrap();
        let child = Command::new("ruby")
            .arg("app.rb")
            .current_dir(&self.dir)
            .env("PORT", self.port.to_string())
            .env_remove("RACK_ENV")
            .env_remove("APP_ENV")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let child = self.child.insert(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("ruby app.rb exited with {status} before listening:\n{}\napp.rb:\n{}", self.log(), self.source);
            }
            assert!(Instant::now() < deadline, "ruby app.rb does not listen after 30s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The reader's project folder: the manifest, `app.rb` and `kensa`'s ledger.
struct Project {
    dir: tempfile::TempDir,
    app: App,
}

impl Project {
    fn new(find_miss: FindMiss) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(dir.path(), find_miss);
        Project { dir, app }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `kensa ARGS` in the project folder, against a freshly started app.
    fn kensa(&mut self, args: &[String]) -> Run {
        self.app.restart();
        self.kensa_as_is(args)
    }

    /// `kensa ARGS` against the app as it is (a resource made by the previous command).
    fn kensa_as_is(&self, args: &[String]) -> Run {
        Run::of(kensa().args(args).current_dir(self.path()))
    }

    fn manifest(&self) -> Value {
        serde_json::from_str(&fs::read_to_string(self.path().join("addon-manifest.json")).unwrap()).unwrap()
    }

    fn edit_manifest(&self, edit: impl FnOnce(&mut Value)) {
        let mut manifest = self.manifest();
        edit(&mut manifest);
        fs::write(self.path().join("addon-manifest.json"), serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    }
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// The text between `before` and the next `after` in `text`.
fn between<'a>(text: &'a str, before: &str, after: &str) -> &'a str {
    let start = text.find(before).unwrap_or_else(|| panic!("no `{before}` in\n{text}")) + before.len();
    let length = text[start..].find(after).unwrap_or_else(|| panic!("no `{after}` after `{before}` in\n{text}"));
    &text[start..start + length]
}

/// Whether `ruby` runs with Sinatra and WEBrick.
fn have_ruby_sinatra() -> bool {
    Command::new("ruby")
        .args(["-e", "require 'sinatra/base'; require 'webrick'; require 'json'"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// False (skip) without ruby and Sinatra, except under CI, which fails instead.
fn ruby_ready() -> bool {
    ready(
        "ruby with sinatra and webrick (apt-get install ruby ruby-sinatra ruby-webrick)",
        have_ruby_sinatra(),
        "the seed guide walk",
    )
}

// ---------- the walk ----------

const GETTING_STARTED: &str = "Getting started";
const PROVISIONING: &str = "Provisioning";
const CONSUMER: &str = "Consumer";

/// "Getting started": `kensa init`, then the manifest edits the guide asks for. Returns
/// the project with an app that has no routes yet.
fn getting_started(find_miss: FindMiss) -> Project {
    let project = Project::new(find_miss);
    let init = shown(GETTING_STARTED, "3. Generate an add-on manifest");
    let run = project.kensa_as_is(&init.args(""));
    assert_eq!(run.code, 0, "kensa init: {run}");
    assert_lines("kensa init", &init.lines, &run);

    // The guide's manifest and its auth snippet share an id and a password; the reader
    // changes `id` ("Start by changing the `id` field") and may use any password, so the
    // manifest takes the ones the snippet checks and the snippet runs as written.
    let guide_manifest: Value =
        serde_json::from_str(&snippet(GETTING_STARTED, "3. Generate an add-on manifest", "json", 0)).unwrap();
    let auth = snippet(PROVISIONING, "3. Authentication", "ruby", 0);
    let id = between(&auth, "username == '", "'").to_string();
    let password = between(&auth, "password == '", "'").to_string();
    assert_eq!(
        guide_manifest["api"]["password"],
        password.as_str(),
        "the guide's snippet checks its manifest's password"
    );

    // "If your service is running at localhost:5000, then change it to
    // `http://localhost:5000/`": the test URL as one string, the form of the guide's era,
    // which kensa still reads (`<url>heroku/resources`, and SSO by GET on a resource).
    let prose = SEED.split("## Provisioning").next().unwrap();
    let test_url = between(prose, "then change it to `", "`");
    assert_eq!(test_url, "http://localhost:5000/");
    let test_url = test_url.replace("localhost:5000", &format!("127.0.0.1:{}", project.app.port));
    project.edit_manifest(|manifest| {
        manifest["id"] = id.into();
        manifest["api"]["password"] = password.into();
        manifest["api"]["test"] = test_url.into();
    });
    project
}

/// The seed guide's "Provisioning" and "Consumer" steps, in order, with
/// its commands and its Sinatra code.
#[test]
fn the_seed_guide_walked_step_by_step_fails_and_passes_where_it_says() {
    if !ruby_ready() {
        return;
    }
    let started = Instant::now();
    let mut project = getting_started(FindMiss::Raises404);

    // 1. Test provision - fail: a service without the call answers 404.
    let step = shown(PROVISIONING, "1. Test provision - fail");
    let run = project.kensa(&step.args(""));
    assert_eq!(run.code, 1, "step 1: {run}");
    assert_lines("step 1", &step.lines, &run);

    // 2. Implement provision call; 3. Authentication: it provisions, but lets anyone in.
    project.app.add(&snippet(PROVISIONING, "2. Implement provision call", "ruby", 0));
    let step = shown(PROVISIONING, "3. Authentication");
    let run = project.kensa(&step.args(""));
    assert_eq!(run.code, 1, "step 3: {run}");
    assert_lines("step 3", &step.lines, &run);

    // With the guide's `use Rack::Auth::Basic`, 4. Config vars: the service returns
    // MYSQL_URL, which the manifest does not declare. (The guide shows no command here:
    // "Running the provision test once again".)
    project.app.add(&snippet(PROVISIONING, "3. Authentication", "ruby", 0));

    // The guide's own trap: its snippet hard-codes the guide's id and password, while
    // `kensa init` generated another password ("You can use the defaults"). The reader who
    // keeps it is told that the service refused the manifest's own credentials, and what
    // to compare, without the password being shown.
    let snippets_password = project.manifest()["api"]["password"].clone();
    let generated = "kept-from-kensa-init-0123";
    project.edit_manifest(|manifest| manifest["api"]["password"] = generated.into());
    let run = project.kensa(&words("test provision"));
    assert_eq!(run.code, 1, "the generated password: {run}");
    assert_lines("the generated password", &["  Check response [FAIL]".to_string()], &run);
    for said in
        ["expected 200, got 401", "the service refused the manifest's own credentials", "`Rack::Auth::Basic` block"]
    {
        assert!(run.stdout.contains(said), "the generated password: {said:?} not in {run}");
    }
    assert!(!run.stdout.contains(generated) && !run.stderr.contains(generated), "the password is shown: {run}");
    project.edit_manifest(|manifest| manifest["api"]["password"] = snippets_password);

    let step = shown(PROVISIONING, "4. Config vars");
    let run = project.kensa(&words("test provision"));
    assert_eq!(run.code, 1, "step 4: {run}");
    assert_lines("step 4", &step.lines, &run);

    // The guide's manifest edit: `"config_vars": [ "MYADDON_URL" ]` to `[ "MYSQL_URL" ]`.
    let fragment = |index| -> Value {
        let text = snippet(PROVISIONING, "4. Config vars", "json", index);
        serde_json::from_str(&format!("{{{}}}", text.trim().trim_end_matches(','))).unwrap()
    };
    assert_eq!(project.manifest()["api"]["config_vars"], fragment(0)["config_vars"], "what the guide changes");
    let config_vars = fragment(1)["config_vars"].clone();
    project.edit_manifest(|manifest| manifest["api"]["config_vars"] = config_vars);

    // The guide is wrong for today's API here: Heroku namespaces config vars by the
    // add-on's prefix, so the edited manifest fails M19, whose hint names the fix.
    let run = project.kensa(&words("test provision"));
    assert_eq!(run.code, 1, "the guide's config_vars: {run}");
    assert_lines(
        "the guide's config_vars",
        &[
            "  Check all config vars are prefixed with the addon id [FAIL]".to_string(),
            "    ! MYSQL_URL is not a valid ENV key - must be prefixed with ".to_string(),
        ],
        &run,
    );
    assert!(run.stdout.contains("or set `api.config_vars_prefix`"), "M19 names the fix: {run}");
    // Its fix: the prefix the service's vars use.
    project.edit_manifest(|manifest| manifest["api"]["config_vars_prefix"] = "MYSQL".into());

    // 5. Test provision - pass: every line the guide shows passes, but this kensa is
    // stricter than the guide: the guide's `Database.create!` makes a second resource when
    // Heroku repeats a provision (D01), and the failure says what to do about it.
    let step = shown(PROVISIONING, "5. Test provision - pass");
    let run = project.kensa(&step.args(""));
    assert_lines("step 5", &step.lines, &run);
    assert_only_idempotency_fails("step 5", &run);

    // 6. Regions: the guide reads the region from the body of the provision call.
    let region = snippet(PROVISIONING, "6. Regions", "ruby", 0);
    let provision = snippet(PROVISIONING, "2. Implement provision call", "ruby", 0);
    let opening = provision.lines().next().unwrap();
    assert_eq!(project.app.source.matches(opening).count(), 1, "{opening}");
    project.app.source = project.app.source.replace(opening, &format!("{opening}\n  {}", region.trim()));

    // 7. Implement deprovision call: `kensa test deprovision 123`, 123 standing for the id
    // of a resource provisioned before. kensa init writes a v3 manifest, where Heroku (and
    // kensa) put Heroku's uuid in the path, not the id the guide's `Database.find` knows:
    // kensa retries by the id, and the failure says what to change.
    project.app.add(&snippet(PROVISIONING, "7. Implement deprovision call", "ruby", 0));
    let run = project.kensa(&words("test provision"));
    let (id, uuid) = assert_only_idempotency_fails("provision before step 7", &run);
    let uuid = uuid.expect("a v3 manifest shows Heroku's uuid");
    let step = shown(PROVISIONING, "7. Implement deprovision call");
    let listed = project.kensa_as_is(&words("resources"));
    assert!(listed.stdout.contains(&format!("uuid {uuid}  id {id}  ")), "kensa keeps the resource: {listed}");
    let run = project.kensa_as_is(&step.args(&id));
    assert_eq!(run.code, 1, "step 7 (v3): {run}");
    let by_uuid = format!("/heroku/resources/{uuid}");
    assert_lines("step 7 (v3)", &[format!("Testing DELETE {by_uuid}"), "  Check response [FAIL]".to_string()], &run);
    let by_id_fix = [
        format!("DELETE {by_uuid} got 404, but DELETE /heroku/resources/{id} (the provider's id) worked"),
        "keep the `uuid` sent at provision with the resource and find it by that".to_string(),
        "or declare the manifest v1 (remove `api.version`)".to_string(),
    ];
    for part in &by_id_fix {
        assert!(run.stdout.contains(part.as_str()), "step 7 (v3) names the fix: {part}\n{run}");
    }
    // The retry by id removed the resource, and kensa's ledger knows it.
    let listed = project.kensa_as_is(&words("resources"));
    assert!(!listed.stdout.contains(&uuid), "kensa forgets the deprovisioned resource: {listed}");

    // 8. Plan changes: `kensa test planchange 123 premium`, the same story.
    project.app.add(&snippet(PROVISIONING, "8. Plan changes", "ruby", 0));
    let run = project.kensa(&words("test provision"));
    let (id, uuid) = assert_only_idempotency_fails("provision before step 8", &run);
    let uuid = uuid.unwrap();
    let step = shown(PROVISIONING, "8. Plan changes");
    let run = project.kensa_as_is(&step.args(&id));
    assert_eq!(run.code, 1, "step 8 (v3): {run}");
    let by_uuid = format!("/heroku/resources/{uuid}");
    assert_lines("step 8 (v3)", &[format!("Testing PUT {by_uuid}"), "  Check response [FAIL]".to_string()], &run);
    let fix = format!("PUT {by_uuid} got 404, but PUT /heroku/resources/{id} (the provider's id) worked");
    assert!(run.stdout.contains(&fix) && run.stdout.contains(&by_id_fix[1]), "step 8 (v3) names the fix:\n{run}");

    // Single sign-on: the guide has no SSO code of its own (it links to Heroku's SSO
    // article), and its `use Rack::Auth::Basic` guards every path, so `kensa test sso`
    // (no key: the resource provisioned above) is refused with 401; the failure says to
    // keep Basic auth to the provisioning API.
    let run = project.kensa_as_is(&words("test sso"));
    assert_eq!(run.code, 1, "sso: {run}");
    assert_lines("sso", &[format!("Testing GET /heroku/resources/{id}"), "  Check logs in [FAIL]".to_string()], &run);
    assert!(run.stdout.contains("    ! expected 200, got 401"), "sso: {run}");
    assert!(run.stdout.contains("guard only the provisioning API"), "sso names the fix: {run}");

    // The fix's second way, the guide's era: a v1 manifest puts the provider's id in the
    // path, and steps 7 and 8 then print what the guide shows (D01 still fails: v1
    // requests carry a uuid too).
    project.edit_manifest(|manifest| {
        manifest["api"].as_object_mut().unwrap().remove("version");
    });
    let run = project.kensa(&words("test provision"));
    let (id, uuid) = assert_only_idempotency_fails("provision (v1)", &run);
    assert_eq!(uuid, None, "v1 shows the id alone");
    let step = shown(PROVISIONING, "8. Plan changes");
    let run = project.kensa_as_is(&step.args(&id));
    assert_eq!(run.code, 0, "step 8 (v1): {run}");
    assert_lines("step 8 (v1)", &step.lines_for(&id), &run);
    assert_lines("step 8 (v1)", &["  Check response [PASS]".to_string()], &run);
    let step = shown(PROVISIONING, "7. Implement deprovision call");
    let run = project.kensa_as_is(&step.args(&id));
    assert_eq!(run.code, 0, "step 7 (v1): {run}");
    assert_lines("step 7 (v1)", &step.lines_for(&id), &run);

    consumer(&mut project);
    eprintln!("walked the seed guide in {:.1}s", started.elapsed().as_secs_f64());
}

/// "Consumer": the guide's `use_mysql.rb` under `kensa run ruby use_mysql.rb`. There is no
/// MySQL here, so a stand-in `sequel` library (first on `RUBYLIB`) answers `tables` with
/// none; the script itself is the guide's.
fn consumer(project: &mut Project) {
    let script = snippet(CONSUMER, "1. Create a consumer test in Ruby", "ruby", 0);
    let step = shown(CONSUMER, "2. Test against an automatically provisioned resource");
    let args = step.args("");
    assert_eq!(args, words("run ruby use_mysql.rb"));
    fs::write(project.path().join(&args[2]), script).unwrap();
    let lib = project.path().join("stand-in-lib");
    fs::create_dir(&lib).unwrap();
    fs::write(
        lib.join("sequel.rb"),
        "module Sequel\n  Database = Struct.new(:url) do\n    def tables = []\n  end\n\n  \
         def self.connect(url) = Database.new(url)\nend\n",
    )
    .unwrap();

    project.app.restart();
    let run = Run::of(kensa().args(&args).current_dir(project.path()).env("RUBYLIB", &lib));
    // The run provisions (so D01 fails again), hands MYSQL_URL to the script, and
    // deprovisions by the id it got back. kensa names the whole command where the old gem
    // said `Starting ruby...`.
    let (id, _) = assert_only_idempotency_fails("kensa run", &run);
    for line in ["Testing POST /heroku/resources", "This database has the following tables: []", "End of ruby", "done."]
    {
        assert!(step.lines.iter().any(|shown| shown == line), "the guide shows `{line}`");
    }
    let report = [
        "Testing POST /heroku/resources".to_string(),
        "Starting ruby use_mysql.rb...".to_string(),
        "End of ruby use_mysql.rb".to_string(),
        format!("Testing DELETE /heroku/resources/{id}"),
        "done.".to_string(),
    ];
    assert_lines("kensa run", &report, &run);
    // The command's own output goes to stderr, keeping stdout for kensa's report.
    let url = format!("mysql://{id}:secret-{id}@localhost:3306/{id}");
    let consumer = Run { code: run.code, stdout: run.stderr.clone(), stderr: String::new() };
    assert_lines(
        "the consumer test",
        &[format!("Connecting to {url}"), "This database has the following tables: []".to_string()],
        &consumer,
    );
}

/// The service as the walk leaves it: every Provisioning snippet in, the manifest edited
/// (config vars and their prefix), nothing run yet.
fn guide_service(find_miss: FindMiss) -> Project {
    let mut project = getting_started(find_miss);
    for step in ["2. Implement provision call", "3. Authentication", "7. Implement deprovision call", "8. Plan changes"]
    {
        project.app.add(&snippet(PROVISIONING, step, "ruby", 0));
    }
    project.edit_manifest(|manifest| {
        manifest["api"]["config_vars"] = serde_json::json!(["MYSQL_URL"]);
        manifest["api"]["config_vars_prefix"] = "MYSQL".into();
    });
    project
}

/// Found by the walk: the guide's `Database.find(params[:id]).destroy` with a `find` that
/// returns nil on a miss (a hash, Sequel's `Model[id]`; Sinatra also answers ActiveRecord's
/// RecordNotFound with 500) answers a v3 DELETE by uuid with 500, not 404. kensa retries by
/// the provider's id after a 5xx as after a 404, so the reader is told the service looks
/// resources up by its own id instead of a bare "expected 200 or 204, got 500".
#[test]
fn the_guides_deprovision_answering_500_for_a_uuid_gets_the_fix_named() {
    if !ruby_ready() {
        return;
    }
    let mut project = guide_service(FindMiss::ReturnsNil);
    let run = project.kensa(&words("test provision"));
    let (id, _) = assert_only_idempotency_fails("provision", &run);
    let run = project.kensa_as_is(&shown(PROVISIONING, "7. Implement deprovision call").args(&id));
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("keep the `uuid` sent at provision with the resource and find it by that"),
        "the failure names the fix, not a bare 500:\n{run}"
    );
}

/// Found by the walk: with a v1 manifest the D01 check records the extra resource the
/// guide's `Database.create!` made under the same uuid as the first one. The two ids are two
/// ledger entries and removing the extra keeps the first, which is still live at the service,
/// so `kensa resources` lists it and `kensa test deprovision` with no key finds it (once the
/// extra replaced the first entry and its removal left the ledger empty).
#[test]
fn a_v1_provision_that_fails_idempotency_keeps_its_resource_in_the_ledger() {
    if !ruby_ready() {
        return;
    }
    let mut project = guide_service(FindMiss::Raises404);
    project.edit_manifest(|manifest| {
        manifest["api"].as_object_mut().unwrap().remove("version");
    });
    let run = project.kensa(&words("test provision"));
    let (id, _) = assert_only_idempotency_fails("provision (v1)", &run);
    let listed = project.kensa_as_is(&words("resources"));
    assert!(listed.stdout.contains(&format!("  id {id}  ")), "kensa keeps the live resource: {listed}");
    let run = project.kensa_as_is(&words("test deprovision"));
    assert_eq!(run.code, 0, "no key: the newest live resource, {id}: {run}");
    assert_lines("deprovision (v1)", &[format!("Testing DELETE /heroku/resources/{id}")], &run);
}
