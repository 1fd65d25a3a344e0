//! The resource ledger. kensa records every resource it provisions next to the
//! manifest, so later commands know both keys and nothing it made is forgotten.

use kensa_e2e::{Outcome, Provider, Run, check};
use serde_json::Value;
use std::path::Path;

fn ledger(provider: &Provider) -> Vec<Value> {
    let text = std::fs::read_to_string(provider.dir().join(".kensa-resources.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["resources"].as_array().unwrap().clone()
}

fn json_run(provider: &Provider, args: &[&str]) -> Run {
    provider.kensa(args).args(["--color", "never", "--format", "json"]).run()
}

/// A provision is recorded with both keys, the plan, the add-on, the environment, the time
/// and the command, in a file only the user can read.
#[test]
fn a_provision_is_recorded_with_both_keys() {
    let provider = Provider::start();
    json_run(&provider, &["test", "provision"]).assert_code(0);
    let entries = ledger(&provider);
    assert_eq!(entries.len(), 1, "{entries:#?}");
    let entry = &entries[0];
    for field in ["uuid", "id", "created_at"] {
        assert!(entry[field].as_str().is_some_and(|value| !value.is_empty()), "{field}: {entry:#}");
    }
    assert_ne!(entry["uuid"], entry["id"]);
    assert_eq!(entry["plan"], "test");
    assert_eq!(entry["manifest_id"], "myaddon");
    assert_eq!(entry["environment"], "test");
    assert_eq!(entry["command"], "kensa test provision");
    assert_eq!(entry["region"], "amazon-web-services::us-east-1", "the first declared region's form");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(provider.dir().join(".kensa-resources.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The extra resources of the idempotency checks were removed again, and left no entry.
    assert_eq!(provider.resource_count(), 1);
}

/// `test sso` by Heroku's uuid, by the provider's id, or with no key signs
/// in, because kensa sends the id as `id` and the uuid as `resource_id`, as Heroku does.
#[test]
fn sso_works_by_uuid_by_id_and_with_no_key() {
    let provider = Provider::start();
    json_run(&provider, &["test", "provision"]).assert_code(0);
    let entry = ledger(&provider)[0].clone();
    let (uuid, id) = (entry["uuid"].as_str().unwrap(), entry["id"].as_str().unwrap());
    for key in [Some(uuid), Some(id), None] {
        let mut args = vec!["test", "sso"];
        args.extend(key);
        let run = json_run(&provider, &args);
        run.assert_code(0);
        assert_eq!(check(&run.report(), "S05").outcome, Outcome::Passed, "{key:?}\n{}", run.describe());
    }
}

/// With no key, plan change and deprovision use the newest resource; a deprovision removes
/// its entry; with nothing left, kensa says what to do (exit 2).
#[test]
fn plan_change_and_deprovision_use_the_newest_resource() {
    let provider = Provider::start();
    json_run(&provider, &["test", "provision"]).assert_code(0);
    json_run(&provider, &["test", "provision"]).assert_code(0);
    let newest = ledger(&provider)[1]["uuid"].as_str().unwrap().to_string();
    json_run(&provider, &["test", "planchange", "premium"]).assert_code(0);
    assert_eq!(ledger(&provider)[1]["plan"], "premium");
    let run = json_run(&provider, &["test", "deprovision"]);
    run.assert_code(0);
    assert!(run.stdout.contains(&newest), "the newest resource went: {}", run.describe());
    assert_eq!(ledger(&provider).len(), 1);
    json_run(&provider, &["test", "deprovision"]).assert_code(0);
    assert!(ledger(&provider).is_empty());
    assert_eq!(provider.resource_count(), 0);
    let none = json_run(&provider, &["test", "deprovision"]);
    none.assert_code(2);
    assert!(none.stderr.contains("no resource to use"), "{}", none.describe());
    assert!(none.stderr.contains("kensa test provision"), "{}", none.describe());
}

/// `kensa resources` lists what kensa left behind; `--cleanup` deprovisions it all.
#[test]
fn resources_lists_and_cleans_up() {
    let provider = Provider::start();
    json_run(&provider, &["test", "provision"]).assert_code(0);
    json_run(&provider, &["test", "provision"]).assert_code(0);
    let listed = provider.run(["resources"]);
    listed.assert_code(0);
    for entry in ledger(&provider) {
        assert!(listed.stdout.contains(entry["uuid"].as_str().unwrap()), "{}", listed.describe());
    }
    assert!(listed.stdout.contains("  region amazon-web-services::us-east-1  "), "{}", listed.describe());
    assert_eq!(provider.resource_count(), 2);
    provider.run(["resources", "--cleanup", "--color", "never"]).assert_code(0);
    assert_eq!(provider.resource_count(), 0);
    assert!(ledger(&provider).is_empty());
    let empty = provider.run(["resources"]);
    assert!(empty.stdout.contains("No resources"), "{}", empty.describe());
}

/// A ledger written before kensa recorded regions still loads: its resources are listed
/// (without a region) and still found by later commands.
#[test]
fn a_ledger_without_regions_still_works() {
    let provider = Provider::start();
    json_run(&provider, &["test", "provision"]).assert_code(0);
    let path = provider.dir().join(".kensa-resources.json");
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let uuid = old["resources"][0]["uuid"].as_str().unwrap().to_string();
    old["resources"][0].as_object_mut().unwrap().remove("region");
    std::fs::write(&path, old.to_string()).unwrap();

    let listed = provider.run(["resources"]);
    listed.assert_code(0);
    assert!(listed.stdout.contains(&uuid) && !listed.stdout.contains("region"), "{}", listed.describe());
    json_run(&provider, &["test", "deprovision"]).assert_code(0);
    assert_eq!(provider.resource_count(), 0);
    assert!(ledger(&provider).is_empty());
}

/// A ledger path that is a link is never followed or written through, and a ledger kensa
/// cannot read is never overwritten: both are reported, and the run goes on.
#[test]
fn a_planted_link_or_a_broken_ledger_is_left_alone() {
    let provider = Provider::start();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("victim");
    std::fs::write(&target, "untouched").unwrap();
    let ledger_path = provider.dir().join(".kensa-resources.json");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &ledger_path).unwrap();
    let run = json_run(&provider, &["test", "provision"]);
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert!(run.stderr.contains("symbolic link"), "{}", run.describe());

    std::fs::remove_file(&ledger_path).unwrap();
    std::fs::write(&ledger_path, "{ not json").unwrap();
    let run = json_run(&provider, &["test", "provision"]);
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(&ledger_path).unwrap(), "{ not json");
    assert!(run.stderr.contains("not a kensa resource list"), "{}", run.describe());
}

/// `kensa init` adds the ledger to `.gitignore`, once.
#[test]
fn init_keeps_the_ledger_out_of_git() {
    let dir = tempfile::tempdir().unwrap();
    let gitignore = dir.path().join(".gitignore");
    std::fs::write(&gitignore, "target/").unwrap();
    kensa_e2e::Kensa::new(dir.path()).args(["init"]).run().assert_code(0);
    kensa_e2e::Kensa::new(dir.path()).args(["init", "--force"]).run().assert_code(0);
    let text = std::fs::read_to_string(&gitignore).unwrap();
    assert!(text.starts_with("target/\n"), "{text}");
    assert_eq!(text.matches(".kensa-resources.json").count(), 1, "{text}");
    assert!(!Path::new(&dir.path().join(".kensa-resources.json")).exists());
}
