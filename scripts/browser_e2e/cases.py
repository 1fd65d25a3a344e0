"""The cases of scripts/browser-e2e, each a function (browser, site, screenshot) -> summary line
that raises Failure when the page misbehaves, and the lists each browser runs.

  loopback                  page on http://127.0.0.1 (as ./scripts/playground serves it): "Run all" passes
  narrow                    the same at 360 px, without the page scrolling sideways
  embed                     index.html?embed renders without page chrome
  docs                      the built docs (dist/docs/) embed the playground from the same folder
  https-not-granted         page on https, treated as a PUBLIC origin; local network access not
                            granted: no request reaches the provider, the page says permission
  https-granted             the same page with the permission granted: "Run all" passes, and
                            "Download HAR" offers HAR 1.2 without the manifest's credentials
  https-granted-no-cors     the same, against the provider started without CORS headers: the
                            requests reach it and the page diagnoses CORS
  docs-iframe-allow         the docs page on one public https origin, the playground in its iframe
                            from ANOTHER (the iframe src is rewritten as the docs are served, as
                            docs hosted elsewhere would load it), with allow="local-network-access":
                            "Run all" inside the frame passes
  docs-iframe-no-allow      the same without the allow attribute (stripped as the docs are served):
                            the frame names the attribute the docs author must add

To count requests, the https cases point the page's manifest at a provider of their own
(site.counted), whose request log says what reached it.
"""

import base64
import json
import time

from .harness import WINDOW, CannotRun, Failure, wait_until

# The page's DOM contract, in one place.
SELECTORS = {
    "run_all": "#run-all",
    "manifest": "textarea#manifest",
    "status": "#run-status",
    "status_done": '#run-status[data-state="done"]',
    "results": "table#results",
    "row": "tr.check",
    "cors_diagnosis": ".cors-diagnosis",
    "network_notice": "#network-notice",
    "chrome": "header",
    "playground_iframe": 'iframe[src*="?embed"]',
    "download_har": "#download-har",
}
OK_OUTCOMES = ("passed", "skipped", "warning")
# Check code prefixes that must each have a row after "all": manifest, provision,
# plan change, deprovision.
PHASES = ("M", "P", "C", "X")
# The playground iframe's allow attribute in the docs (README, docs/guide.md, the book):
# Chromium 156 delegates with local-network-access, Firefox ESR 153 only with
# loopback-network (local-network for private addresses); measured, see the report.
DOCS_ALLOW = "local-network-access; loopback-network; local-network"
# What the page's not-delegated notice must name (it may name Firefox's features after it).
NOTICE_NAMES = f'allow="{DOCS_ALLOW}"'
NARROW_WIDTH = 360


class Site:
    """Where everything is served, for the cases."""

    def __init__(self, loopback, https, docs, provider, counted, no_cors, timeout, out):
        self.loopback = loopback  # http://127.0.0.1:PORT/hosted/kensa
        self.https = https  # https://127.0.0.1:PORT/hosted/kensa (public for the browser)
        self.docs = docs  # https://127.0.0.1:PORT (public; /docs/ and /docs-no-allow/)
        self.provider = provider  # the sample manifest's provider origin
        self.counted = counted  # a harness.Provider with CORS, whose log counts requests
        self.no_cors = no_cors  # a harness.Provider started with --no-cors
        self.timeout = timeout
        self.out = out


# --- Steps shared by the cases ------------------------------------------------------


def rows(browser):
    return browser.script(
        """
        return Array.from(document.querySelectorAll(arguments[0])).map(row => ({
            code: row.dataset.code || "",
            outcome: row.dataset.outcome || "",
            text: (row.innerText || "").replace(/\\s+/g, " ").trim().slice(0, 160),
        }));
        """,
        SELECTORS["row"],
    )


def usable_after_ms(browser, what, timeout=10):
    """Milliseconds from navigation start until `what` (a selector) is on the page, polled
    every 20 ms: a figure to print, not a timed assertion."""
    return wait_until(
        f"the page renders {what}",
        timeout,
        lambda: browser.script(
            "return document.querySelector(arguments[0]) ? Math.max(1, performance.now()) : null;", what
        ),
        interval=0.02,
    )


def diagnoses(browser, limit=240):
    """(kind, text) of every CORS/network diagnosis on the page, the text cut at `limit`."""
    return [
        (kind, " ".join(text.split())[:limit])
        for kind, text in browser.script(
            "return Array.from(document.querySelectorAll(arguments[0]))"
            ".map(d => [d.dataset.kind || '', d.innerText || '']);",
            SELECTORS["cors_diagnosis"],
        )
    ]


def network_notice(browser):
    """(data-permission, text) of #network-notice, or None."""
    found = browser.script(
        "const n = document.querySelector(arguments[0]);"
        "return n ? [n.dataset.permission || '', n.innerText || ''] : null;",
        SELECTORS["network_notice"],
    )
    return None if found is None else (found[0], " ".join(found[1].split()))


def point_manifest_at(browser, provider, target):
    """Replaces the provider's origin in the editor's manifest with `target`, as typing would
    (the page reads the textarea's input event)."""
    changed = browser.script(
        """
        const area = document.querySelector(arguments[0]);
        if (!area || !area.value.includes(arguments[1])) return null;
        const text = area.value.split(arguments[1]).join(arguments[2]);
        Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set.call(area, text);
        area.dispatchEvent(new InputEvent("input", {bubbles: true, inputType: "insertText"}));
        return area.value;
        """,
        SELECTORS["manifest"],
        provider,
        target,
    )
    if changed is None:
        raise Failure(f"the manifest in {SELECTORS['manifest']} does not mention {provider}")


def run_to_the_end(browser, timeout, screenshot, in_frame=False):
    """Clicks "Run all" and waits until the run is done; the screenshot is taken either way
    (of the whole page when the playground is in a frame)."""
    browser.click(browser.find(SELECTORS["run_all"]))
    started = time.monotonic()
    try:
        wait_until(
            f"{SELECTORS['status_done']} (the run finished)",
            timeout,
            lambda: browser.find(SELECTORS["status_done"]),
            interval=0.1,
        )
    finally:
        if in_frame:
            browser.leave_frames()
        browser.screenshot(screenshot)
    return time.monotonic() - started


def check_rows(found, diagnosis):
    """Problems with a run that should have passed: a failed row, a missing phase, a diagnosis."""
    problems = []
    if not found:
        problems.append(f"no {SELECTORS['row']} rows")
    for row in found:
        if row["outcome"] not in OK_OUTCOMES:
            problems.append(f"{row['code'] or '?'} is {row['outcome'] or 'without data-outcome'}: {row['text']}")
    missing = [phase for phase in PHASES if not any(row["code"].startswith(phase) for row in found)]
    if missing:
        problems.append("no row for phase " + ", ".join(missing) + " (codes: " + " ".join(r["code"] for r in found) + ")")
    for kind, text in diagnosis:
        problems.append(f"diagnosis {kind} shown: {text}")
    if problems:
        raise Failure("; ".join(problems))
    counts = {}
    for row in found:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    for row in found:
        if row["outcome"] != "passed":
            print(f"    {row['outcome']}: {row['text']}")
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
    return f"{len(found)} checks ({summary})"


def full_run(browser, timeout, screenshot, in_frame=False):
    """Runs all from the page as it is and checks that nothing failed."""
    elapsed = run_to_the_end(browser, timeout, screenshot, in_frame)
    if in_frame:
        browser.enter_frame(browser.find(SELECTORS["playground_iframe"]))
    found, diagnosis = rows(browser), diagnoses(browser)
    return f"{check_rows(found, diagnosis)} in {elapsed:.1f} s"


def open_https_page(browser, site, grant=False):
    """Opens the page on its public https origin, with the local network permissions granted
    first when `grant` (a grant is per origin, so the page is opened once to give it one)."""
    browser.open(f"{site.https}/index.html")
    if grant:
        for name in browser.permissions:
            browser.grant(name)
        browser.open(f"{site.https}/index.html")
    usable_after_ms(browser, SELECTORS["run_all"])


def blocked_problems(reached, whence, notice, notices, diagnosis):
    """What is wrong with a run that the browser should have stopped: requests that reached
    the provider, a network notice whose data-permission is not one of `notices`, no
    diagnosis. The cases add their own rules for the diagnosis's kind."""
    problems = []
    if reached:
        problems.append(f"{len(reached)} requests reached the provider {whence}: {', '.join(reached[:5])}")
    if not notice or notice[0] not in notices:
        problems.append(f"{SELECTORS['network_notice']} is {notice}, expected data-permission {' or '.join(notices)}")
    if not diagnosis:
        problems.append(f"no {SELECTORS['cors_diagnosis']} after the failed run")
    return problems


def run_not_granted(browser, site, screenshot, limit):
    """Runs all from the https page (opened, not granted) against the counted provider;
    returns the notice, the diagnoses (text cut at `limit`) and the problems both browsers
    share."""
    point_manifest_at(browser, site.provider, site.counted.origin)
    before = site.counted.count()
    run_to_the_end(browser, site.timeout, screenshot)
    reached = site.counted.since(before)
    notice, diagnosis = network_notice(browser), diagnoses(browser, limit=limit)
    problems = blocked_problems(reached, "without the permission", notice, ("prompt", "denied"), diagnosis)
    return notice, diagnosis, problems


def open_docs_frame(browser, site, folder, grant):
    browser.open(f"{site.docs}/{folder}/index.html")
    if grant:
        for name in browser.permissions:
            browser.grant(name)
    frame = wait_until("the docs page has the playground iframe", 10, lambda: browser.find(SELECTORS["playground_iframe"]))
    src = browser.script("return arguments[0].src;", frame)
    if not src.startswith(site.https + "/"):
        raise CannotRun(f"the docs server did not rewrite the iframe src to the playground's origin: {src}")
    # Centred: mdBook's menu bar would hide the top of the frame.
    browser.script("arguments[0].scrollIntoView({block: 'center'});", frame)
    browser.enter_frame(frame)
    wait_until("the framed playground renders " + SELECTORS["run_all"], 10, lambda: browser.find(SELECTORS["run_all"]))
    if grant:
        for name in browser.permissions:
            browser.grant(name)


# What every HAR 1.2 entry must have (http://www.softwareishard.com/blog/har-12-spec/).
HAR_ENTRY_FIELDS = ("startedDateTime", "time", "request", "response", "cache", "timings")
HAR_REQUEST_FIELDS = ("method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize")
HAR_RESPONSE_FIELDS = (
    "status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize",
)

# Replaces the page's download click with a read of the offered blob, so the file can be
# checked without a download dialog or a downloads folder.
CAPTURE_DOWNLOADS = """
window.kensaDownloads = [];
HTMLAnchorElement.prototype.click = function () {
  const name = this.download;
  fetch(this.href).then(r => r.text()).then(text => window.kensaDownloads.push([name, text]));
};
"""


def downloaded_har(browser, provider_origin):
    """Presses "Download HAR" after a run and checks the file offered:
    HAR 1.2 in structure, every entry sent to the provider, no credential of the manifest in
    it (raw or as the Basic value). Returns a summary."""
    manifest = json.loads(browser.script(f"return document.querySelector('{SELECTORS['manifest']}').value;"))
    api = manifest.get("api", {})
    password, salt = api.get("password", ""), api.get("sso_salt", "")
    basic = base64.b64encode(f"{manifest.get('id', '')}:{password}".encode()).decode()
    button = browser.find(SELECTORS["download_har"])
    if not button:
        raise Failure(f"no {SELECTORS['download_har']} on the page after the run")
    browser.script(CAPTURE_DOWNLOADS)
    browser.click(button)
    name, text = wait_until(
        "the page offers the HAR", 10, lambda: browser.script("return window.kensaDownloads[0] || null;")
    )
    problems = []
    if name != "kensa-run.har":
        problems.append(f"the download is named {name!r}, not kensa-run.har")
    try:
        log = json.loads(text)["log"]
    except (ValueError, KeyError, TypeError) as error:
        raise Failure(f"the HAR is not JSON with a log: {error}: {text[:200]!r}")
    if log.get("version") != "1.2" or not log.get("creator", {}).get("name"):
        problems.append(f"log.version {log.get('version')!r}, creator {log.get('creator')!r}")
    entries = log.get("entries") or []
    if not entries:
        problems.append("the HAR has no entries after a full run")
    for index, entry in enumerate(entries):
        missing = [f for f in HAR_ENTRY_FIELDS if f not in entry]
        missing += [f"request.{f}" for f in HAR_REQUEST_FIELDS if f not in entry.get("request", {})]
        missing += [f"response.{f}" for f in HAR_RESPONSE_FIELDS if f not in entry.get("response", {})]
        if missing:
            problems.append(f"entry {index} lacks {', '.join(missing)}")
        elif not entry["request"]["url"].startswith(provider_origin):
            problems.append(f"entry {index} went to {entry['request']['url'][:80]}, not {provider_origin}")
    for what, secret in (("password", password), ("SSO salt", salt), ("Basic value", basic)):
        if len(secret) >= 4 and secret in text:
            problems.append(f"the HAR holds the manifest's {what}")
    if problems:
        raise Failure("; ".join(problems[:6]))
    return f"HAR download: {len(entries)} entries, no credential"


# --- Cases --------------------------------------------------------------------------


def case_loopback(browser, site, screenshot):
    browser.open(f"{site.loopback}/index.html")
    usable_ms = usable_after_ms(browser, SELECTORS["run_all"])
    if not browser.find(SELECTORS["manifest"]):
        raise Failure(f"no {SELECTORS['manifest']} on the page")
    if network_notice(browser):
        raise Failure(f"a page on loopback shows {SELECTORS['network_notice']}: {network_notice(browser)}")
    result = full_run(browser, site.timeout, screenshot)
    return f"usable after {usable_ms:.0f} ms (navigation start to {SELECTORS['run_all']}); {result}"


def case_narrow(browser, site, screenshot):
    """At 360 px the page runs and nothing makes the page itself scroll sideways (wide
    content such as exchanges must scroll inside its own box)."""
    browser.resize(NARROW_WIDTH, WINDOW[1])
    try:
        browser.open(f"{site.loopback}/index.html")
        usable_after_ms(browser, SELECTORS["run_all"])
        run_to_the_end(browser, site.timeout, screenshot)
        widths = browser.script(
            "return [window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth];"
        )
    finally:
        browser.resize(*WINDOW)
    viewport, page, body = widths
    if viewport > NARROW_WIDTH:
        raise CannotRun(f"the browser window did not narrow to {NARROW_WIDTH} px (viewport {viewport} px)")
    if max(page, body) > viewport:
        raise Failure(f"at {viewport} px the page is {max(page, body)} px wide: it scrolls sideways")
    return f"{viewport} px wide without sideways scrolling"


def case_embed(browser, site, screenshot):
    browser.open(f"{site.loopback}/index.html?embed")
    wait_until("the embedded page renders " + SELECTORS["run_all"], 10, lambda: browser.find(SELECTORS["run_all"]))
    browser.screenshot(screenshot)
    if browser.find(SELECTORS["chrome"]):
        raise Failure(f"index.html?embed renders a <{SELECTORS['chrome']}> (page chrome)")
    return "embed mode without page chrome"


def case_docs(browser, site, screenshot):
    """The built book loads the playground from the same uploaded folder (relative src)."""
    browser.open(f"{site.loopback}/docs/index.html")
    frame = wait_until("the docs page has the playground iframe", 10, lambda: browser.find(SELECTORS["playground_iframe"]))
    allow = browser.script("return arguments[0].getAttribute('allow');", frame)
    if allow != DOCS_ALLOW:
        raise Failure(f"the docs' playground iframe has allow={allow!r}, not {DOCS_ALLOW!r}")
    # Centred: mdBook's menu bar would hide the top of the frame.
    browser.script("arguments[0].scrollIntoView({block: 'center'});", frame)
    browser.enter_frame(frame)
    try:
        wait_until("the framed playground renders " + SELECTORS["run_all"], 10, lambda: browser.find(SELECTORS["run_all"]))
        if browser.find(SELECTORS["chrome"]):
            raise Failure("the docs' iframe shows the playground with page chrome (not ?embed)")
    finally:
        browser.leave_frames()
    browser.screenshot(screenshot)
    return f'docs/index.html embeds ../index.html?embed with allow="{DOCS_ALLOW}"'


def case_https_not_granted(browser, site, screenshot):
    open_https_page(browser, site)
    if not browser.script("return window.isSecureContext;"):
        raise CannotRun("the https page is not a secure context (certificate not accepted?)")
    notice, diagnosis, problems = run_not_granted(browser, site, screenshot, limit=240)
    for kind, text in diagnosis:
        if kind != "permission-denied":
            problems.append(f"diagnosis {kind} (expected permission-denied): {text}")
    if problems:
        raise Failure("; ".join(problems))
    return f"0 requests reached the provider; notice {notice[0]}: {notice[1][:120]}; diagnosis: {diagnosis[0][1][:120]}"


def case_https_not_granted_firefox(browser, site, screenshot):
    """Firefox ESR 153's automated "Block" leaves the permission reading `prompt` (the
    testing pref answers without recording a decision), so the page cannot tell a refusal
    from a closed port: it says unreachable and adds that a Local network access prompt
    must be allowed. Nothing may reach the provider."""
    open_https_page(browser, site)
    notice, diagnosis, problems = run_not_granted(browser, site, screenshot, limit=None)
    for kind, text in diagnosis:
        if kind == "permission-denied":
            continue
        if kind != "unreachable" or "Local network access" not in text:
            problems.append(
                f"diagnosis {kind} (expected permission-denied, or unreachable naming the prompt), notice {notice}: {text}"
            )
    if problems:
        raise Failure("; ".join(problems))
    return f"0 requests reached the provider; notice {notice[0]}; diagnosis {diagnosis[0][0]}: {diagnosis[0][1][-120:]}"


def case_https_granted(browser, site, screenshot):
    open_https_page(browser, site, grant=True)
    point_manifest_at(browser, site.provider, site.counted.origin)
    before = site.counted.count()
    result = full_run(browser, site.timeout, screenshot)
    reached = len(site.counted.since(before))
    notice = network_notice(browser)
    if not reached:
        raise Failure("the run passed but the counted provider saw no request (is the manifest pointed at it?)")
    if not notice or notice[0] != "granted":
        raise Failure(f"{SELECTORS['network_notice']} is {notice}, expected data-permission granted")
    har = downloaded_har(browser, site.counted.origin)
    return f"{result}; {reached} requests reached the counted provider; {har}; notice granted: {notice[1][:100]}"


def case_https_granted_no_cors(browser, site, screenshot):
    """A public https page, the permission granted, and a provider that sends no CORS headers
    (the reference provider with --no-cors): the requests reach it, and the page says CORS,
    not permission or unreachable."""
    open_https_page(browser, site, grant=True)
    point_manifest_at(browser, site.provider, site.no_cors.origin)
    before = site.no_cors.count()
    run_to_the_end(browser, site.timeout, screenshot)
    reached = site.no_cors.since(before)
    kinds = [kind for kind, _ in diagnoses(browser)]
    problems = []
    if not reached:
        problems.append("no request reached the service: the permission did not let them through")
    if kinds != ["cors"]:
        problems.append(f"diagnoses {kinds}, expected exactly one, cors: {diagnoses(browser)}")
    if problems:
        raise Failure("; ".join(problems))
    return f"{len(reached)} requests reached the service ({', '.join(reached[:3])}); diagnosis cors"


def case_docs_iframe_allow(browser, site, screenshot):
    open_docs_frame(browser, site, "docs", grant=browser.grants_in_docs)
    point_manifest_at(browser, site.provider, site.counted.origin)
    before = site.counted.count()
    notice_before = network_notice(browser)
    result = full_run(browser, site.timeout, screenshot, in_frame=True)
    notice = network_notice(browser)
    browser.leave_frames()
    for shown in (notice_before, notice):
        if shown and shown[0] == "not-delegated":
            raise Failure(f'the frame says it is not delegated although the iframe has allow="{DOCS_ALLOW}": {shown[1]}')
    reached = len(site.counted.since(before))
    return f"{result}; {reached} requests reached the counted provider"


def case_docs_iframe_no_allow(browser, site, screenshot):
    open_docs_frame(browser, site, "docs-no-allow", grant=False)
    point_manifest_at(browser, site.provider, site.counted.origin)
    before = site.counted.count()
    wanted = f'{SELECTORS["network_notice"]}[data-permission="not-delegated"]'
    try:
        # Shown on load, or at the latest when a run starts (before its first request).
        if not browser.find(wanted):
            browser.click(browser.find(SELECTORS["run_all"]))
        wait_until(wanted, 10, lambda: browser.find(wanted))
        notice = network_notice(browser)
    finally:
        browser.leave_frames()
        browser.screenshot(screenshot)
    if NOTICE_NAMES not in notice[1]:
        raise Failure(f"the not-delegated notice does not name {NOTICE_NAMES}...: {notice[1]}")
    reached = len(site.counted.since(before))
    return f"notice: {notice[1][:160]}; {reached} requests reached the provider"


def case_docs_iframe_no_allow_firefox(browser, site, screenshot):
    """Firefox ESR 153 has no permissions policy API, so the page cannot see the missing
    attribute up front; but even with the prompt answered "Allow", nothing may reach the
    provider, and the page must say permission (not CORS, not unreachable)."""
    open_docs_frame(browser, site, "docs-no-allow", grant=False)
    point_manifest_at(browser, site.provider, site.counted.origin)
    before = site.counted.count()
    run_to_the_end(browser, site.timeout, screenshot, in_frame=True)
    reached = site.counted.since(before)
    browser.enter_frame(browser.find(SELECTORS["playground_iframe"]))
    notice, diagnosis = network_notice(browser), diagnoses(browser)
    browser.leave_frames()
    problems = blocked_problems(reached, "from the undelegated frame", notice, ("denied", "not-delegated"), diagnosis)
    for kind, text in diagnosis:
        if kind not in ("permission-denied", "not-delegated"):
            problems.append(f"diagnosis {kind} (expected permission-denied or not-delegated): {text}")
    if problems:
        raise Failure("; ".join(problems))
    return f"0 requests reached the provider; notice {notice[0]}: {notice[1][:120]}; diagnosis {diagnosis[0][0]}"


CHROMIUM_CASES = [
    ("loopback", case_loopback),
    ("narrow", case_narrow),
    ("embed", case_embed),
    ("docs", case_docs),
    ("https-not-granted", case_https_not_granted),
    ("https-granted", case_https_granted),
    ("https-granted-no-cors", case_https_granted_no_cors),
    ("docs-iframe-allow", case_docs_iframe_allow),
    ("docs-iframe-no-allow", case_docs_iframe_no_allow),
]


# Firefox, in two sessions: the prompt answered "Block", then "Allow" (harness.FIREFOX_PREFS).
FIREFOX_CASES = {
    "block": [
        ("loopback", case_loopback),
        ("https-not-granted", case_https_not_granted_firefox),
        ("https-granted", case_https_granted),
    ],
    "allow": [
        ("docs-iframe-allow", case_docs_iframe_allow),
        ("docs-iframe-no-allow", case_docs_iframe_no_allow_firefox),
        # Last: it grants the permission, which stays granted for the rest of the session.
        ("https-granted-no-cors", case_https_granted_no_cors),
    ],
}
