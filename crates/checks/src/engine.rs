//! The session that runs checks: it owns the report being built, emits events as checks
//! start and finish, sends requests through the host's transport and records each
//! exchange with secrets redacted.
//!
//! Exchanges take `&self`, so a check can run independent ones side by side (see
//! [`crate::concurrent`]); they are recorded in the order they were asked for, so the
//! report does not depend on which answer came first. An endpoint that timed out once is
//! not called again in the same run: a hung endpoint costs one deadline, not one per call.

use crate::encoding::seconds;
use crate::event::{Event, EventSink};
use crate::redact::Redactor;
use crate::report::{CheckReport, Exchange, Finding, Outcome, Report, Timing};
use crate::report_builder::ReportBuilder;
use crate::transport::{
    CallbackReceiver, Clock, IdSource, Method, Request, Response, Transport, TransportError, uuid_v4,
};
use kensa_manifest::{CheckDef, Environment, Manifest, Severity, Validation};
use std::cell::RefCell;

/// Limits every request obeys. Heroku's own: answer within 3 s (SHOULD) and 25 s (MUST).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub timeout_ms: u64,
    pub slow_ms: u64,
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { timeout_ms: 25_000, slow_ms: 3_000, max_body_bytes: 1024 * 1024 }
    }
}

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Which manifest URLs to call.
    pub environment: Environment,
    /// Plan sent at provision (`--plan`, default `test`).
    pub plan: String,
    /// Extra `--flag value` options sent at provision.
    pub options: Vec<(String, String)>,
    pub limits: Limits,
    /// `Some(timeout)` for asynchronous provisioning (`--async`): expect 202, then wait
    /// this long for the provider to finish through the Heroku stand-in.
    pub async_timeout_ms: Option<u64>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            environment: Environment::Test,
            plan: "test".to_string(),
            options: Vec::new(),
            limits: Limits::default(),
            async_timeout_ms: None,
        }
    }
}

/// The host's effects, handed to the engine.
pub struct Effects<'a, T: Transport> {
    pub transport: &'a T,
    pub clock: &'a dyn Clock,
    pub ids: &'a mut dyn IdSource,
    pub sink: &'a mut dyn EventSink,
    /// The stand-in for Heroku's API, whose URL every provision sends as `callback_url`;
    /// `None` where the host cannot listen (a browser), and asynchronous provisioning is
    /// then skipped.
    pub callbacks: Option<&'a dyn CallbackReceiver>,
}

/// One run of checks. The methods that make them are in `src/checks/`, one file per phase.
pub struct CheckRun<'a, T: Transport> {
    pub(crate) effects: Effects<'a, T>,
    pub(crate) settings: Settings,
    report: ReportBuilder,
    redactor: Redactor,
    /// Endpoints (see [`endpoint_of`]) that timed out in this run.
    hung: RefCell<Vec<String>>,
    /// The `region` every provision sends (but the region checks' own), known once the
    /// manifest is: the request form of its first region.
    pub(crate) region: String,
}

/// What cut a run short. The checks it left with nothing to work on are still listed,
/// skipped, with it as their reason, so every report of a suite lists the same checks and
/// a CI dashboard's totals do not swing with what failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A live check ended so (failed, errored or skipped) that the ones after it cannot run.
    Check { code: &'static str, outcome: Outcome },
    /// The manifest is invalid: `code` is the first rule it fails.
    Manifest { code: Option<&'static str> },
}

impl Stop {
    pub(crate) fn at(def: &'static CheckDef, outcome: Outcome) -> Stop {
        Stop::Check { code: def.code, outcome }
    }

    /// The stop of an invalid manifest.
    pub(crate) fn manifest(validation: &Validation) -> Stop {
        let code = validation.results.iter().find(|result| result.outcome == Outcome::Failed);
        Stop::Manifest { code: code.map(|result| result.rule.check.code) }
    }

    /// Why a check after this stop was not run. `lacking` says what it needed, as in
    /// "not run: P01 failed, so there is no resource to sign in to".
    pub(crate) fn reason(self, lacking: &str) -> String {
        match self {
            Stop::Check { code, outcome } => {
                let ended = match outcome {
                    Outcome::Skipped => "was skipped",
                    Outcome::Errored => "could not be made",
                    Outcome::Passed | Outcome::Warning | Outcome::Failed => "failed",
                };
                format!("not run: {code} {ended}, so {lacking}")
            }
            Stop::Manifest { code: Some(code) } => {
                format!("not run: {code} failed, and kensa calls the provider only with a valid manifest")
            }
            Stop::Manifest { code: None } => "not run: kensa calls the provider only with a valid manifest".to_string(),
        }
    }
}

/// An exchange made but not yet recorded under a check.
pub(crate) struct Sent {
    pub(crate) result: Result<Response, TransportError>,
    /// With its timing: when the request went out, and how long it took.
    exchange: Exchange,
    /// Set when the answer took longer than Heroku's 3 s.
    slow: Option<String>,
}

/// A check being run: findings and exchanges collect here until it finishes.
pub(crate) struct Pending {
    def: &'static CheckDef,
    started_ms: u64,
    findings: Vec<Finding>,
    expected: Option<String>,
    got: Option<String>,
    note: Option<String>,
    exchanges: Vec<Exchange>,
    errored: bool,
}

impl Pending {
    pub(crate) fn fail(&mut self, message: impl Into<String>) {
        self.findings.push(Finding::error(message));
    }

    pub(crate) fn warn(&mut self, message: impl Into<String>) {
        self.findings.push(Finding::warning(message));
    }

    /// A failure that states what was expected and what came instead.
    pub(crate) fn mismatch(&mut self, expected: impl Into<String>, got: impl Into<String>, message: impl Into<String>) {
        self.expected = Some(expected.into());
        self.got = Some(got.into());
        self.fail(message);
    }

    pub(crate) fn note(&mut self, note: String) {
        self.note = Some(note);
    }

    /// kensa could not perform the check (not the provider's fault).
    pub(crate) fn error(&mut self, message: impl Into<String>) {
        self.errored = true;
        self.fail(message);
    }

    pub(crate) fn has_failed(&self) -> bool {
        self.findings.iter().any(|finding| finding.severity == Severity::Error)
    }

    /// Keeps an exchange under this check (warning when it was slow) and hands back its result.
    /// An exchange made before the check started (side by side with others) counts toward
    /// its duration.
    pub(crate) fn record(&mut self, sent: Sent) -> Result<Response, TransportError> {
        if let Some(timing) = sent.exchange.timing {
            self.started_ms = self.started_ms.min(timing.started_ms);
        }
        if let Some(slow) = sent.slow {
            self.warn(slow);
        }
        self.exchanges.push(sent.exchange);
        sent.result
    }
}

impl<'a, T: Transport> CheckRun<'a, T> {
    pub fn new(effects: Effects<'a, T>, settings: Settings) -> CheckRun<'a, T> {
        CheckRun {
            effects,
            settings,
            report: ReportBuilder::default(),
            redactor: Redactor::default(),
            hung: RefCell::new(Vec::new()),
            region: kensa_manifest::regions::first_request_form(&[]),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        self.report.report()
    }

    pub fn into_report(self) -> Report {
        self.report.finish()
    }

    /// Reports the manifest rules' results; the manifest comes back only when it is valid.
    pub(crate) fn check_manifest<'v>(&mut self, validation: &'v Validation) -> Result<&'v Manifest, Stop> {
        crate::manifest::report_validation(validation, &mut self.report, self.effects.sink);
        let manifest = validation.manifest.as_ref().ok_or_else(|| Stop::manifest(validation))?;
        self.redactor.learn_manifest(manifest);
        self.region = kensa_manifest::regions::first_request_form(&manifest.api.regions);
        Ok(manifest)
    }

    /// Adds a value that must never appear in the report, such as a token.
    pub fn add_secret(&mut self, secret: impl Into<String>) {
        self.redactor.add(&secret.into());
    }

    /// `text` as a report would keep it: every secret of the run blanked, in any spelling.
    /// For what a host prints outside the report, such as a provider's config var names.
    pub fn redacted(&self, text: &str) -> String {
        self.redactor.text(text)
    }

    /// Tells the host's ledger that a resource was made, changed or removed.
    pub(crate) fn resource_event(&mut self, event: crate::event::ResourceEvent) {
        self.effects.sink.event(Event::Resource(&event));
    }

    /// Tells the host's ledger that a provision (the real one or one a check made on the
    /// side) left a resource, on the plan this run provisions.
    pub(crate) fn provisioned(&mut self, uuid: &str, id: &str) {
        self.provisioned_in(uuid, id, &self.region.clone());
    }

    /// [`CheckRun::provisioned`] for a provision sent with another `region` (a request form).
    pub(crate) fn provisioned_in(&mut self, uuid: &str, id: &str, region: &str) {
        let (uuid, id, plan, region) =
            (uuid.to_string(), id.to_string(), self.settings.plan.clone(), region.to_string());
        self.resource_event(crate::event::ResourceEvent::Provisioned { uuid, id, plan, region });
    }

    /// Prints a line that belongs to no check (it may name a provider's id: redacted).
    pub fn message(&mut self, text: &str) {
        let text = self.redactor.text(text);
        self.effects.sink.event(Event::Message { text: &text });
    }

    pub(crate) fn group(&mut self, heading: String) {
        self.group_with_route(heading, None);
    }

    /// A group about one resource: `route` is the heading with the resource's key replaced
    /// by a placeholder.
    pub(crate) fn group_with_route(&mut self, heading: String, route: Option<String>) {
        // A v1 heading holds the provider's id, which may echo a credential.
        let heading = self.redactor.text(&heading);
        self.effects.sink.event(Event::GroupStarted { heading: &heading, route: route.as_deref() });
        self.report.group(heading, route);
    }

    pub(crate) fn start(&mut self, def: &'static CheckDef) -> Pending {
        self.effects.sink.event(Event::CheckStarted { code: def.code, label: def.label });
        Pending {
            def,
            started_ms: self.effects.clock.now_ms(),
            findings: Vec::new(),
            expected: None,
            got: None,
            note: None,
            exchanges: Vec::new(),
            errored: false,
        }
    }

    pub(crate) fn finish(&mut self, pending: Pending) -> Outcome {
        let outcome = if pending.errored {
            Outcome::Errored
        } else if pending.has_failed() {
            Outcome::Failed
        } else if pending.findings.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Warning
        };
        let duration_ms = self.effects.clock.now_ms().saturating_sub(pending.started_ms);
        let findings = crate::report::bounded(pending.findings)
            .into_iter()
            .map(|finding| Finding { message: self.redactor.message(&finding.message), ..finding })
            .collect();
        let redact = |text: Option<String>| text.map(|text| self.redactor.message(&text));
        self.push(CheckReport {
            findings,
            expected: redact(pending.expected),
            got: redact(pending.got),
            note: redact(pending.note),
            duration_ms: Some(duration_ms),
            exchanges: pending.exchanges,
            ..CheckReport::of(pending.def, outcome)
        });
        outcome
    }

    pub(crate) fn skip(&mut self, def: &'static CheckDef, reason: &str) {
        self.push(CheckReport { reason: Some(reason.to_string()), ..CheckReport::of(def, Outcome::Skipped) });
    }

    /// Lists `defs` as skipped because `stop` left them without `lacking` (see [`Stop::reason`]).
    pub(crate) fn skip_after(&mut self, defs: &[&'static CheckDef], stop: Stop, lacking: &str) {
        let reason = stop.reason(lacking);
        for def in defs {
            self.skip(def, &reason);
        }
    }

    fn push(&mut self, check: CheckReport) {
        self.effects.sink.event(Event::CheckFinished { check: &check });
        self.report.check(check);
    }

    pub(crate) fn new_uuid(&mut self) -> String {
        uuid_v4(self.effects.ids.random_bytes())
    }

    /// A number between 100000 and 999999, for fake Heroku app names.
    pub(crate) fn app_number(&mut self) -> u32 {
        let bytes = self.effects.ids.random_bytes();
        100_000 + u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 900_000
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.effects.clock.now_ms()
    }

    /// Sends a request with the session's limits, records the exchange under `check`, and
    /// warns when the answer was slow.
    pub(crate) async fn send(
        &self,
        check: &mut Pending,
        method: Method,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> Result<Response, TransportError> {
        check.record(self.exchange(method, url, headers, body).await)
    }

    /// Sends a request with the session's limits and returns it, redacted, for
    /// [`Pending::record`]. Only `&self`: several can be awaited together.
    pub(crate) async fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> Sent {
        self.exchange_within(method, url, headers, body, self.settings.limits.timeout_ms).await
    }

    /// [`CheckRun::exchange`] with `timeout_ms` for its deadline: what is left of a budget
    /// that several exchanges share. One cut short by that budget does not mark its
    /// endpoint hung, since it never had the whole deadline.
    pub(crate) async fn exchange_within(
        &self,
        method: Method,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        timeout_ms: u64,
    ) -> Sent {
        let full = self.settings.limits;
        let limits = Limits { timeout_ms: timeout_ms.min(full.timeout_ms), ..full };
        let request = Request {
            method,
            url: url.to_string(),
            headers,
            body,
            timeout_ms: limits.timeout_ms,
            max_body_bytes: limits.max_body_bytes,
        };
        let mut exchange = self.redactor.request(&request);
        let endpoint = endpoint_of(method, url);
        let started = self.effects.clock.now_ms();
        if self.hung.borrow().contains(&endpoint) {
            let error = TransportError::EndpointTimedOut(endpoint);
            exchange.error = Some(self.redactor.text(&describe_error(&error, url, full)));
            exchange.timing = Some(Timing { started_ms: started, elapsed_ms: 0 });
            return Sent { result: Err(error), exchange, slow: None };
        }
        let result = self.effects.transport.send(request).await;
        let elapsed = self.effects.clock.now_ms().saturating_sub(started);
        exchange.timing = Some(Timing { started_ms: started, elapsed_ms: elapsed });
        let mut slow = None;
        match &result {
            Ok(response) => {
                self.redactor.response(&mut exchange, response);
                if elapsed > limits.slow_ms {
                    slow = Some(format!(
                        "took {}; Heroku expects an answer within {}",
                        seconds(elapsed),
                        seconds(limits.slow_ms)
                    ));
                }
            }
            Err(error) => {
                if *error == TransportError::Timeout && limits.timeout_ms == full.timeout_ms {
                    let mut hung = self.hung.borrow_mut();
                    if !hung.contains(&endpoint) {
                        hung.push(endpoint);
                    }
                }
                exchange.error = Some(self.redactor.text(&describe_error(error, url, limits)));
            }
        }
        Sent { result, exchange, slow }
    }
}

/// A transport failure in words: "unable to connect to http://localhost:4567".
pub(crate) fn describe_error(error: &TransportError, url: &str, limits: Limits) -> String {
    let origin = kensa_manifest::origin_of(url);
    match error {
        TransportError::Connect(reason) if reason.is_empty() => {
            format!("unable to connect to {origin}")
        }
        TransportError::Connect(reason) => format!("unable to connect to {origin} ({reason})"),
        TransportError::Closed(reason) if reason.is_empty() => {
            format!("connection closed by {origin} before a whole response")
        }
        TransportError::Closed(reason) => {
            format!("connection closed by {origin} before a whole response ({reason})")
        }
        TransportError::Timeout => {
            format!("no answer from {origin} within {}; Heroku gives up after 25 s", seconds(limits.timeout_ms))
        }
        TransportError::BodyTooLarge => {
            format!("the response body is larger than {}; stopped reading", bytes(limits.max_body_bytes))
        }
        TransportError::Other(reason) => format!("request to {origin} failed: {reason}"),
        TransportError::EndpointTimedOut(endpoint) => format!(
            "not sent: {endpoint} already went unanswered for {} in this run, and kensa waits for a hung endpoint only once",
            seconds(limits.timeout_ms)
        ),
    }
}

/// What "the same endpoint" means for the hung-endpoint rule: the method and the URL
/// without its query, and without the resource key when a resource is addressed (PUT,
/// DELETE and GET name one resource; POST goes to the collection or the SSO form).
pub(crate) fn endpoint_of(method: Method, url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or_default();
    let path = match method {
        Method::Post | Method::Patch => without_query.to_string(),
        Method::Get | Method::Put | Method::Delete => match without_query.trim_end_matches('/').rsplit_once('/') {
            Some((collection, _key)) if collection.contains("://") && collection.matches('/').count() > 2 => {
                format!("{collection}/*")
            }
            _ => without_query.to_string(),
        },
    };
    format!("{method} {path}")
}

fn bytes(count: usize) -> String {
    if count >= 1024 * 1024 && count.is_multiple_of(1024 * 1024) {
        format!("{} MiB", count / (1024 * 1024))
    } else {
        format!("{count} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_the_method_and_the_url_without_key_or_query() {
        let collection = "http://127.0.0.1:5000/prefix/heroku/resources";
        assert_eq!(endpoint_of(Method::Post, collection), format!("POST {collection}"));
        for method in [Method::Put, Method::Delete] {
            assert_eq!(endpoint_of(method, &format!("{collection}/abc-123")), format!("{method} {collection}/*"));
        }
        assert_eq!(
            endpoint_of(Method::Get, &format!("{collection}/42?token=t&timestamp=1")),
            format!("GET {collection}/*")
        );
        assert_eq!(endpoint_of(Method::Get, "http://127.0.0.1:5000/dashboard"), "GET http://127.0.0.1:5000/dashboard");
        assert_eq!(endpoint_of(Method::Post, "http://h/sso/login?x=1"), "POST http://h/sso/login");
    }
}
