"""The machinery of scripts/browser-e2e: the servers the cases need and the browsers they drive.

Servers: the built site, served by Python's standard library under a path prefix, over http
and over https with a certificate made at test time (plus the docs, with their playground
iframe rewritten as docs hosted elsewhere would load it); and the reference providers, as
Rust processes (`kensa-provider --playground`, with or without CORS) whose request log
counts what reached them. Browsers: Chromium and Firefox ESR through Selenium, with the
driver given by path so that Selenium Manager never looks for, let alone downloads, one.
"""

import functools
import http.server
import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

# Before Selenium is imported: its manager must never reach the network (the drivers are
# passed by path, so it is not even run; this makes sure).
os.environ["SE_OFFLINE"] = "true"

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service as ChromeService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.firefox.service import Service as FirefoxService  # noqa: E402

WINDOW = (1280, 900)
# The page is served under a path prefix, as a host would serve the uploaded folder
# (https://example.org/kensa/): a build whose asset URLs are not relative fails here.
PREFIX = "/hosted/kensa"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-quic",
    "--no-first-run",
    # The https pages use a self-signed certificate made at test time.
    "--ignore-certificate-errors",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
]
# Chromium asks one permission per target address space (browsers.md).
CHROMIUM_PERMISSIONS = ("loopback-network", "local-network-access")
# Firefox ESR 153 names the private one local-network; it throws on local-network-access.
FIREFOX_PERMISSIONS = ("loopback-network", "local-network")
# Firefox ESR 153 prompts for a public page's requests to loopback by default (measured);
# headless, nobody answers, and the request waits for network.lna.prompt.timeout (5 min).
# Its testing prefs answer the prompt instead: "Block" in the first session (the not-granted
# case; grants through geckodriver still let the granted cases through), "Allow" in the
# second, where only a frame the embedding page delegated to can ask (the docs cases).
FIREFOX_PREFS = {"network.loopback-network.prompt.testing": True}
FIREFOX_ANSWERS = {"block": False, "allow": True}
# One line per request in kensa-provider's log (stderr): "METHOD /path -> STATUS".
REQUEST_LINE = re.compile(r"^[A-Z]+ \S+ -> \d{3}$")


class Failure(Exception):
    """A check of the page failed (exit 1)."""


class CannotRun(Exception):
    """The test could not run (exit 2)."""


# --- The site ------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }
    # A connection that never sends a request must not hold its thread forever.
    timeout = 15

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


class PrefixHandler(QuietHandler):
    """Serves the folder only under PREFIX; anything else is 404."""

    def translate_path(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return os.path.join(self.directory, ".outside-the-prefix")
        return super().translate_path(path[len(PREFIX) :] or "/")


IFRAME = re.compile(r"<iframe\b[^>]*\?embed[^>]*>", re.S)


class DocsHandler(QuietHandler):
    """Serves dist/docs as docs hosted elsewhere would: the playground iframe's src points at
    the playground's own origin (self.playground). Under /docs/ the iframe keeps its allow
    attribute; under /docs-no-allow/ it loses it."""

    playground = ""

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        for prefix, keep_allow in (("/docs/", True), ("/docs-no-allow/", False)):
            if path.startswith(prefix):
                break
        else:
            self.send_error(404)
            return
        relative = path[len(prefix) :] or "index.html"
        file = os.path.normpath(os.path.join(self.directory, relative))
        if not file.startswith(self.directory + os.sep) or not os.path.isfile(file):
            self.send_error(404)
            return
        with open(file, "rb") as handle:
            body = handle.read()
        if file.endswith(".html"):
            body = rewrite_iframe(body.decode(), self.playground, keep_allow).encode()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(file))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def rewrite_iframe(html, playground, keep_allow):
    def rewrite(match):
        tag = re.sub(r'\bsrc="[^"]*"', f'src="{playground}"', match.group(0), count=1)
        if not keep_allow:
            tag = re.sub(r'\s+allow="[^"]*"', "", tag)
        return tag

    return IFRAME.sub(rewrite, html)


def serve(server, name):
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def serve_folder(folder, name, context=None):
    """dist/ under PREFIX on a free port, over https when `context` is given."""
    return serve_with(functools.partial(PrefixHandler, directory=folder), name, context)


def serve_docs(folder, playground, name, context):
    """dist/docs on a free https port, the iframe pointed at `playground`."""
    handler = type("PlaygroundDocsHandler", (DocsHandler,), {"playground": playground})
    return serve_with(functools.partial(handler, directory=folder), name, context)


def serve_with(handler, name, context):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if context:
        # The handshake happens in the request's thread, not in the accept loop.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return serve(server, name)


def port_of(server):
    return server.server_address[1]


def self_signed_context(folder):
    """A TLS server context with a certificate for 127.0.0.1 made by openssl now."""
    openssl = shutil.which("openssl")
    if not openssl:
        raise CannotRun("openssl is missing (apt-get install openssl): the https cases need a certificate")
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        raise CannotRun(f"openssl could not make a certificate: {made.stderr.strip()[:300]}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


# --- The providers -------------------------------------------------------------------


class Provider:
    """`kensa-provider --playground --port 0 [ARGS]` as a process: the playground's provider
    (the sample manifest's credentials and salt) on a port of its own. Its request log
    (one stderr line per request, preflights included) tells what reached it."""

    def __init__(self, binary, *args):
        self.process = subprocess.Popen(
            [binary, "--playground", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # stdout: "kensa-provider listening on http://127.0.0.1:PORT", once.
        line = self.process.stdout.readline().strip()
        if not line.startswith("kensa-provider listening on http://"):
            self.stop()
            raise CannotRun(f"{binary} {' '.join(args)} did not start: {line or self.process.stderr.read()[:300]}")
        self.origin = line.rsplit(" ", 1)[1]
        self.seen = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self.read_log, name=f"log of {self.origin}", daemon=True)
        self.reader.start()

    def read_log(self):
        for line in self.process.stderr:
            line = line.strip()
            if REQUEST_LINE.match(line):
                with self.lock:
                    self.seen.append(line)

    def count(self):
        with self.lock:
            return len(self.seen)

    def since(self, start):
        """The request lines logged after the first `start`, once the log has been quiet for
        0.3 s (at most 3 s): a request answered just now may not have been read yet."""
        deadline, last, quiet_since = time.monotonic() + 3, -1, time.monotonic()
        while time.monotonic() < deadline:
            now = self.count()
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= 0.3:
                break
            time.sleep(0.05)
        with self.lock:
            return self.seen[start:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def playground_origin(binary):
    """The origin the playground's sample manifest calls, as `kensa-provider --playground`
    says (its manifest's test base_url): the contract has one source."""
    made = subprocess.run(
        [binary, "--playground", "--print-manifest"], capture_output=True, text=True, check=False, timeout=30
    )
    if made.returncode != 0:
        raise CannotRun(f"{binary} --playground --print-manifest failed: {made.stderr.strip()[:300]}")
    url = urllib.parse.urlsplit(json.loads(made.stdout)["api"]["test"]["base_url"])
    return f"{url.scheme}://{url.netloc}"


# --- The browsers --------------------------------------------------------------------


class Browser:
    """One Selenium session and the few things the cases do with it."""

    name = "browser"
    permissions = ()
    # Whether the docs cases grant the permission (Chromium) or rely on the prompt being
    # answered "Allow", which only a delegated frame gets to ask (Firefox).
    grants_in_docs = False

    def __init__(self, driver, profile=None):
        self.driver = driver
        self.profile = profile
        # W3C Set Permission; Selenium has it for Chromium only, geckodriver answers it too.
        driver.command_executor.add_command("setPermissions", "POST", "/session/$sessionId/permissions")
        self.resize(*WINDOW)

    def resize(self, width, height):
        self.driver.set_window_rect(width=width, height=height)

    def open(self, url):
        self.driver.get(url)

    def script(self, source, *args):
        return self.driver.execute_script(source, *args)

    def find(self, selector):
        """The first element matching `selector`, or None."""
        found = self.driver.find_elements(By.CSS_SELECTOR, selector)
        return found[0] if found else None

    def click(self, element):
        element.click()

    def enter_frame(self, element):
        self.driver.switch_to.frame(element)

    def leave_frames(self):
        self.driver.switch_to.default_content()

    def grant(self, name):
        """Grants a permission to the current document's origin."""
        self.driver.execute("setPermissions", {"descriptor": {"name": name}, "state": "granted"})

    def screenshot(self, path):
        self.driver.save_screenshot(path)

    def console(self):
        return []

    def quit(self):
        try:
            self.driver.quit()
        except (WebDriverException, OSError):
            pass
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)


class Chromium(Browser):
    name = "chromium"
    permissions = CHROMIUM_PERMISSIONS
    # Headless Chromium answers every prompt "no", so the docs cases grant the permission
    # and assert what the page says about delegation (browsers.md).
    grants_in_docs = True

    @classmethod
    def start(cls, chromedriver, binary, public_ports, log_path):
        profile = tempfile.mkdtemp(prefix="kensa-browser-e2e-")
        options = webdriver.ChromeOptions()
        overrides = ",".join(f"127.0.0.1:{port}=public" for port in public_ports)
        for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}", f"--ip-address-space-overrides={overrides}"]:
            options.add_argument(flag)
        if binary:
            options.binary_location = binary
        options.accept_insecure_certs = True
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = ChromeService(executable_path=chromedriver, log_output=log_path)
        try:
            return cls(webdriver.Chrome(options=options, service=service), profile)
        except WebDriverException:
            shutil.rmtree(profile, ignore_errors=True)
            raise

    def console(self):
        """Browser console messages (chromedriver's log endpoint; best effort)."""
        try:
            entries = self.driver.get_log("browser") or []
        except (WebDriverException, OSError):
            return []
        return [f"{entry.get('level')}: {entry.get('message')}" for entry in entries]


class Firefox(Browser):
    name = "firefox"
    permissions = FIREFOX_PERMISSIONS
    # A grant lets an undelegated frame's requests through too (measured), so the docs cases
    # rely on the prompt answered "Allow", which only a delegated frame gets to ask.
    grants_in_docs = False

    @classmethod
    def start(cls, geckodriver, binary, public_ports, answer, log_path):
        options = webdriver.FirefoxOptions()
        options.add_argument("-headless")
        prefs = dict(FIREFOX_PREFS)
        prefs["network.loopback-network.prompt.testing.allow"] = FIREFOX_ANSWERS[answer]
        prefs["network.lna.address_space.public.override"] = ",".join(f"127.0.0.1:{port}" for port in public_ports)
        for name, value in prefs.items():
            options.set_preference(name, value)
        if binary:
            options.binary_location = binary
        options.accept_insecure_certs = True
        service = FirefoxService(executable_path=geckodriver, log_output=log_path, service_args=["--host", "127.0.0.1"])
        return cls(webdriver.Firefox(options=options, service=service))


def wait_until(what, timeout, probe, interval=0.1):
    """Polls probe() until it returns something truthy; Failure after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(interval)
