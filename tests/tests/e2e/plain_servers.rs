//! kensa against a provider written on the standard library alone (`kensa_e2e::plain`):
//! keep-alive, headers and body in separate writes, Nagle on, one thread per connection.
//! What such servers do to a client never shows against the reference provider.

use kensa_e2e::plain::{PlainBehaviour, PlainOptions, PlainProvider};
use kensa_e2e::{Kensa, Outcome, Run, write_json};

fn start(behaviour: PlainBehaviour) -> (PlainProvider, tempfile::TempDir) {
    start_with(PlainOptions { behaviour, ..PlainOptions::default() })
}

fn start_with(options: PlainOptions) -> (PlainProvider, tempfile::TempDir) {
    let provider = PlainProvider::start(options).expect("the plain provider listens on a loopback port");
    let dir = tempfile::tempdir().unwrap();
    write_json(&dir.path().join("addon-manifest.json"), &provider.manifest());
    (provider, dir)
}

fn kensa(dir: &tempfile::TempDir, args: &[&str]) -> Run {
    Kensa::new(dir.path()).args(args).args(["--color", "never", "--format", "json"]).run()
}

/// A correct plain server passes every check, SSO included.
#[test]
fn a_correct_standard_library_provider_passes_everything() {
    let (provider, dir) = start(PlainBehaviour::Correct);
    let run = kensa(&dir, &["test", "all", "--with-sso"]);
    run.assert_code(0);
    let failed: Vec<String> = run
        .report()
        .groups
        .iter()
        .flat_map(|group| &group.checks)
        .filter(|check| matches!(check.outcome, Outcome::Failed | Outcome::Errored))
        .map(|check| check.code.clone())
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}\n{}", run.describe());
    assert_eq!(provider.resource_count(), 0, "test all leaves nothing behind");
    let listed = Kensa::new(dir.path()).args(["resources"]).run();
    assert!(listed.stdout.contains("No resources"), "nor anything in the ledger\n{}", listed.describe());
}

/// `test all --with-sso` against a server that mishandles one of Heroku's conditions: exactly the
/// check that meets it fails, with what to do about it, and neither the server nor
/// the ledger keeps anything.
fn fails_only(behaviour: PlainBehaviour, code: &str, fragments: &[&str]) {
    fails_only_with(PlainOptions { behaviour, ..PlainOptions::default() }, code, fragments);
}

/// [`fails_only`] for a server started with `options`.
fn fails_only_with(options: PlainOptions, code: &str, fragments: &[&str]) {
    let behaviour = options.behaviour;
    let (provider, dir) = start_with(options);
    let run = kensa(&dir, &["test", "all", "--with-sso"]);
    run.assert_code(1);
    let report = run.report();
    let failed: Vec<&str> = report
        .checks()
        .filter(|check| matches!(check.outcome, Outcome::Failed | Outcome::Errored))
        .map(|check| check.code.as_str())
        .collect();
    assert_eq!(failed, [code], "{behaviour:?}\n{}", run.describe());
    let said = kensa_e2e::messages(kensa_e2e::check(&report, code));
    for fragment in fragments {
        assert!(said.contains(fragment), "{behaviour:?}: {fragment:?} not in {said}");
    }
    assert_eq!(provider.resource_count(), 0, "{behaviour:?}: every resource is removed\n{}", run.describe());
    let listed = Kensa::new(dir.path()).args(["resources"]).run();
    assert!(listed.stdout.contains("No resources"), "{behaviour:?}\n{}", listed.describe());
}

/// A lookup, then an insert a while later, with no lock or unique constraint between:
/// D03's overlapping repeats make three resources, named in the finding, and all three
/// are removed again.
#[test]
fn a_server_duplicating_overlapping_provisions_fails_d03() {
    fails_only(
        PlainBehaviour::DuplicatesOverlappingProvisions,
        "D03",
        &["overlapping", "made 3 resources: `plain-", "at least once", "unique constraint on uuid"],
    );
}

/// A second DELETE of a removed resource crashes the lookup: X03 fails.
#[test]
fn a_server_failing_a_repeated_delete_fails_x03() {
    fails_only(
        PlainBehaviour::FailsRepeatedDelete,
        "X03",
        &["a repeated DELETE got 500", "at least once", "410 Gone", "the provider said: RecordNotFound"],
    );
}

/// A second PUT of the same plan is refused: C03 fails.
#[test]
fn a_server_refusing_a_repeated_plan_change_fails_c03() {
    fails_only(
        PlainBehaviour::FailsRepeatedPlanChange,
        "C03",
        &["a repeated plan change got 422", "at least once", "the provider said: already on plan foo"],
    );
}

/// A server that drops a kept-alive connection when the next
/// request arrives on it (an idle timeout firing just then) must not fail a check. kensa
/// opens a fresh connection per exchange, as Heroku's calls arrive, so it never meets this.
#[test]
fn a_server_dropping_reused_connections_fails_nothing() {
    let (provider, dir) = start(PlainBehaviour::DropsReusedConnections);
    for _ in 0..3 {
        let run = kensa(&dir, &["test", "all", "--with-sso"]);
        run.assert_code(0);
        assert!(!run.stdout.contains("connection closed"), "{}", run.describe());
    }
    assert_eq!(provider.resource_count(), 0);
}

/// A provider whose every DELETE hangs costs one deadline per run, not one per DELETE, so a
/// hung endpoint cannot stretch a run to minutes. The server counts waves of held DELETEs:
/// a DELETE sent after kensa gave up on an earlier one means kensa waited out a second
/// deadline. (Counts, does not time.)
#[test]
fn a_provider_hanging_on_every_delete_costs_one_deadline() {
    let (provider, dir) = start(PlainBehaviour::HangsOnDelete);
    let run = kensa(&dir, &["test", "all", "--timeout", "1"]);
    run.assert_code(1);
    assert_eq!(provider.delete_deadline_waves(), 1, "waves of held DELETEs\n{}", run.describe());
    let report = run.report();
    // The first DELETE (removing the extra resource of the idempotency check) waited out
    // the deadline; the deprovision's own calls were not sent, and say why.
    let d02 = kensa_e2e::check(&report, "D02");
    assert_eq!(d02.outcome, Outcome::Warning, "{}", run.describe());
    assert!(kensa_e2e::messages(d02).contains("within 1 s"), "{}", kensa_e2e::messages(d02));
    for code in ["X02", "X01"] {
        let check = kensa_e2e::check(&report, code);
        assert_eq!(check.outcome, Outcome::Failed, "{code}\n{}", run.describe());
        assert!(
            kensa_e2e::messages(check).contains("waits for a hung endpoint only once"),
            "{code}: {}",
            kensa_e2e::messages(check)
        );
    }
}

/// Against a server that is not ours: a resource `test provision` keeps is in the
/// ledger, and plan change, SSO and deprovision find it with no key at all.
#[test]
fn the_ledger_carries_a_resource_from_provision_to_deprovision() {
    let (provider, dir) = start(PlainBehaviour::Correct);
    kensa(&dir, &["test", "provision"]).assert_code(0);
    assert_eq!(provider.resource_count(), 1);
    let listed = Kensa::new(dir.path()).args(["resources"]).run();
    listed.assert_code(0);
    assert!(listed.stdout.contains("by `kensa test provision`"), "{}", listed.describe());
    for args in [&["test", "planchange", "premium"][..], &["test", "sso"], &["test", "deprovision"]] {
        kensa(&dir, args).assert_code(0);
    }
    assert_eq!(provider.resource_count(), 0);
    let empty = Kensa::new(dir.path()).args(["resources"]).run();
    assert!(empty.stdout.contains("No resources"), "{}", empty.describe());
}

/// Against a server that is not ours: a service written for v1 finds resources by
/// its own id and answers 404 to Heroku's uuid (or, as the seed guide's code does, fails
/// with 500 on the miss). kensa tries the id once, fails plan change and deprovision saying
/// what to change, and still removes everything it made, the extra idempotency resources too.
/// The crashing one also fails X03: its repeated DELETE (by id, where the removal worked)
/// misses and crashes, as the guide's `Database.find(params[:id]).destroy` would.
#[test]
fn a_server_keyed_by_its_own_id_is_told_so_and_left_clean() {
    for (behaviour, status, failing) in [
        (PlainBehaviour::KeysByOwnId, 404, &["C01", "X01"][..]),
        (PlainBehaviour::KeysByOwnIdCrashingOnMiss, 500, &["C01", "X01", "X03"]),
    ] {
        let (provider, dir) = start(behaviour);
        let run = kensa(&dir, &["test", "all", "--with-sso"]);
        run.assert_code(1);
        let report = run.report();
        let failed: Vec<&str> = report
            .checks()
            .filter(|check| matches!(check.outcome, Outcome::Failed | Outcome::Errored))
            .map(|check| check.code.as_str())
            .collect();
        assert_eq!(failed, failing, "{behaviour:?}\n{}", run.describe());
        for (code, method) in [("C01", "PUT"), ("X01", "DELETE")] {
            let said = kensa_e2e::messages(kensa_e2e::check(&report, code));
            assert!(said.contains(&format!("got {status}, but {method} /heroku/resources/")), "{code}: {said}");
            assert!(said.contains("finds resources by its own id"), "{code}: {said}");
        }
        assert_eq!(
            provider.resource_count(),
            0,
            "{behaviour:?}: the checked and the extra resources are removed by id"
        );
    }
}

/// Against servers that are not ours: one that refuses a field it does not know, one that
/// crashes on `"oauth_grant": null`, one that refuses Europe while its manifest declares
/// `eu`. Each fails exactly its check with what Heroku does, and is left with nothing.
#[test]
fn servers_that_misread_a_provision_fail_t01_t02_g01() {
    let cases: [(PlainBehaviour, &[&str], &str, &[&str]); 3] = [
        (
            PlainBehaviour::RejectsUnknownFields,
            &["us"],
            "T01",
            &[
                "`\"kensa_probe\": \"an undocumented field\"`: expected 200, got 422",
                "fields it does not document yet",
                "valid",
            ],
        ),
        (
            PlainBehaviour::CrashesOnNullGrant,
            &["us"],
            "T02",
            &["`\"oauth_grant\": null`: expected 200, got 500", "no grant", "NoMethodError"],
        ),
        (
            PlainBehaviour::RefusesEuRegions,
            &["us", "eu"],
            "G01",
            &[
                "region `eu` (amazon-web-services::eu-west-1): expected 200, got 422",
                "the manifest declares `eu`, so Heroku provisions apps there",
            ],
        ),
    ];
    for (behaviour, regions, code, fragments) in cases {
        let regions = regions.iter().map(|region| region.to_string()).collect();
        fails_only_with(PlainOptions { behaviour, regions, ..PlainOptions::default() }, code, fragments);
    }
}

/// A correct server whose manifest declares several regions passes G01 from each of them.
#[test]
fn a_correct_server_in_every_region_passes_g01() {
    let regions = vec!["us".to_string(), "eu".to_string(), "*".to_string()];
    let (provider, dir) = start_with(PlainOptions { regions, ..PlainOptions::default() });
    let run = kensa(&dir, &["test", "all"]);
    run.assert_code(0);
    let report = run.report();
    let g01 = kensa_e2e::check(&report, "G01");
    assert_eq!(g01.outcome, Outcome::Passed, "{}", run.describe());
    assert_eq!(provider.resource_count(), 0);
}

/// `kensa test provision --async` against the plain server in an async mode.
fn provision_async(dir: &tempfile::TempDir) -> Run {
    kensa(dir, &["test", "provision", "--async", "--async-timeout", "10"])
}

/// The plain server's async mode finishes through kensa's stand-in as Heroku wants: the
/// grant exchanged with the client secret, config and `actions/provision` with the
/// versioned Accept header and the token.
#[test]
fn a_correct_asynchronous_standard_library_provider_passes() {
    let (provider, dir) = start(PlainBehaviour::Asynchronous);
    let run = provision_async(&dir);
    run.assert_code(0);
    let report = run.report();
    for code in ["P01", "A01", "A02", "A03", "A04", "R04", "R05", "R06", "R07", "R08"] {
        assert_eq!(kensa_e2e::check(&report, code).outcome, Outcome::Passed, "{code}\n{}", run.describe());
    }
    assert_eq!(provider.resource_count(), 1, "test provision keeps the resource it checked");
}

/// `test provision --async` against a plain asynchronous service with `behaviour`: `code`
/// fails and says each of `fragments`, and A01 says the provider stopped.
fn async_fails(behaviour: PlainBehaviour, code: &str, fragments: &[&str]) {
    let (_provider, dir) = start(behaviour);
    let run = provision_async(&dir);
    run.assert_code(1);
    let report = run.report();
    let check = kensa_e2e::check(&report, code);
    assert_eq!(check.outcome, Outcome::Failed, "{}", run.describe());
    let said = kensa_e2e::messages(check);
    for fragment in fragments {
        assert!(said.contains(fragment), "{fragment:?} not in {said}");
    }
    assert_eq!(kensa_e2e::check(&report, "A01").outcome, Outcome::Failed, "{}", run.describe());
}

/// Exchanging the grant without `client_secret`: Heroku's token endpoint refuses it, so the
/// service never gets a token; A03 names the rule and A01 says the provider stopped.
#[test]
fn an_asynchronous_provider_exchanging_without_client_secret_fails_a03() {
    async_fails(
        PlainBehaviour::AsyncWithoutClientSecret,
        "A03",
        &["POST /oauth/token carried no client_secret", "OAuth client secret from the Partner Portal"],
    );
}

/// Platform API calls without `Accept: application/vnd.heroku+json; version=3` get 406
/// `not_acceptable`, so the config is never set; A04 names the header.
#[test]
fn an_asynchronous_provider_without_the_versioned_accept_header_fails_a04() {
    async_fails(
        PlainBehaviour::AsyncWithoutAccept,
        "A04",
        &["/config carried no Accept header", "not_acceptable", "application/vnd.heroku+json; version=3"],
    );
}
