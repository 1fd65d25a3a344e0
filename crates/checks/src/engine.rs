//! The session that runs checks: it owns the report being built, emits events as checks
//! start and finish, sends requests through the host's transport and records each
//! exchange with secrets redacted.

use crate::catalogue::CheckDef;
use crate::event::{Event, EventSink};
use crate::report::{CheckReport, Exchange, Finding, GroupReport, Outcome, Report};
use crate::transport::{Clock, IdSource, Method, Request, Response, Transport, TransportError, uuid_v4};
use kensa_manifest::{Environment, Manifest, Severity};

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
}

/// One run of checks.
pub struct Session<'a, T: Transport> {
    pub(crate) effects: Effects<'a, T>,
    pub(crate) settings: Settings,
    report: Report,
    secrets: Vec<String>,
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
}

impl<'a, T: Transport> Session<'a, T> {
    pub fn new(effects: Effects<'a, T>, settings: Settings) -> Session<'a, T> {
        Session { effects, settings, report: Report::default(), secrets: Vec::new() }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn into_report(self) -> Report {
        self.report
    }

    /// Runs the manifest rules; the manifest comes back only when it is valid.
    pub fn check_manifest(&mut self, source: &[u8]) -> Option<Manifest> {
        let validation = crate::manifest::check_manifest(source, &mut self.report, self.effects.sink);
        let manifest = validation.manifest?;
        self.secrets.push(manifest.api.password.expose().to_string());
        if let Some(salt) = &manifest.api.sso_salt {
            self.secrets.push(salt.expose().to_string());
        }
        Some(manifest)
    }

    /// Adds a value that must never appear in the report, such as a token.
    pub fn add_secret(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        if !secret.is_empty() {
            self.secrets.push(secret);
        }
    }

    /// Prints a line that belongs to no check.
    pub fn message(&mut self, text: &str) {
        self.effects.sink.event(Event::Message { text });
    }

    pub(crate) fn group(&mut self, heading: String) {
        self.effects.sink.event(Event::GroupStarted { heading: &heading });
        self.report.groups.push(GroupReport { heading, checks: Vec::new() });
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
        let findings = pending
            .findings
            .into_iter()
            .map(|finding| Finding { message: self.redact(&finding.message), ..finding })
            .collect();
        self.push(CheckReport {
            code: pending.def.code.to_string(),
            name: pending.def.name.to_string(),
            label: pending.def.label.to_string(),
            outcome,
            reason: None,
            findings,
            expected: pending.expected,
            got: pending.got,
            note: pending.note,
            duration_ms: Some(duration_ms),
            exchanges: pending.exchanges,
        });
        outcome
    }

    pub(crate) fn skip(&mut self, def: &'static CheckDef, reason: &str) {
        self.push(CheckReport {
            code: def.code.to_string(),
            name: def.name.to_string(),
            label: def.label.to_string(),
            outcome: Outcome::Skipped,
            reason: Some(reason.to_string()),
            findings: Vec::new(),
            expected: None,
            got: None,
            note: None,
            duration_ms: None,
            exchanges: Vec::new(),
        });
    }

    fn push(&mut self, check: CheckReport) {
        self.effects.sink.event(Event::CheckFinished { check: &check });
        if self.report.groups.is_empty() {
            self.report.groups.push(GroupReport { heading: "checks".to_string(), checks: Vec::new() });
        }
        if let Some(group) = self.report.groups.last_mut() {
            group.checks.push(check);
        }
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
    /// warns when the answer was slow. Returns the response and how long it took.
    pub(crate) async fn send(
        &mut self,
        check: &mut Pending,
        method: Method,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> Result<Response, TransportError> {
        let limits = self.settings.limits;
        let request = Request {
            method,
            url: url.to_string(),
            headers,
            body,
            timeout_ms: limits.timeout_ms,
            max_body_bytes: limits.max_body_bytes,
        };
        let mut exchange = Exchange {
            method: method.to_string(),
            url: self.redact(url),
            request_headers: request
                .headers
                .iter()
                .map(|(name, value)| (name.clone(), self.redact_header(name, value)))
                .collect(),
            request_body: request.body.as_deref().map(|body| self.redact_body(body)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
        };
        let started = self.effects.clock.now_ms();
        let result = self.effects.transport.send(request).await;
        let elapsed = self.effects.clock.now_ms().saturating_sub(started);
        match &result {
            Ok(response) => {
                exchange.status = Some(response.status);
                exchange.response_headers = response
                    .headers
                    .iter()
                    .map(|(name, value)| (name.clone(), self.redact_header(name, value)))
                    .collect();
                exchange.response_body = Some(self.redact_body(&response.body));
                if elapsed > limits.slow_ms {
                    check.warn(format!(
                        "took {}; Heroku expects an answer within {}",
                        seconds(elapsed),
                        seconds(limits.slow_ms)
                    ));
                }
            }
            Err(error) => exchange.error = Some(describe_error(error, url, limits)),
        }
        check.exchanges.push(exchange);
        result
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in self.secrets.iter().filter(|secret| secret.len() >= 4) {
            text = text.replace(secret.as_str(), "[redacted]");
        }
        text
    }

    fn redact_header(&self, name: &str, value: &str) -> String {
        if ["authorization", "cookie", "set-cookie", "proxy-authorization"]
            .contains(&name.to_ascii_lowercase().as_str())
        {
            match value.split_once(' ') {
                Some((scheme, _))
                    if !name.eq_ignore_ascii_case("cookie") && !name.eq_ignore_ascii_case("set-cookie") =>
                {
                    format!("{scheme} [redacted]")
                }
                _ => "[redacted]".to_string(),
            }
        } else {
            self.redact(value)
        }
    }

    /// Bodies are kept short in the report; anything past 4 KiB is cut.
    fn redact_body(&self, body: &[u8]) -> String {
        const KEEP: usize = 4096;
        let text = String::from_utf8_lossy(&body[..body.len().min(KEEP)]);
        let mut text = self.redact(&text);
        if body.len() > KEEP {
            text.push_str(&format!("... ({} bytes in all)", body.len()));
        }
        text
    }
}

/// A transport failure in words: "unable to connect to http://localhost:4567".
pub(crate) fn describe_error(error: &TransportError, url: &str, limits: Limits) -> String {
    let origin = origin_of(url);
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
    }
}

fn origin_of(url: &str) -> String {
    match kensa_manifest::url::HttpUrl::parse(url) {
        Ok(parsed) => parsed.origin(),
        Err(_) => url.to_string(),
    }
}

pub(crate) fn seconds(milliseconds: u64) -> String {
    if milliseconds.is_multiple_of(1000) {
        format!("{} s", milliseconds / 1000)
    } else {
        format!("{:.1} s", milliseconds as f64 / 1000.0)
    }
}

fn bytes(count: usize) -> String {
    if count >= 1024 * 1024 && count.is_multiple_of(1024 * 1024) {
        format!("{} MiB", count / (1024 * 1024))
    } else {
        format!("{count} bytes")
    }
}
