#!/usr/bin/env python3
"""A Heroku add-on provider service: the provisioning API (provision, deprovision, plan
change) and single sign-on, with the Python 3 standard library only.

Start it with `python3 app.py`; it reads .env in this folder (variables already set in
the environment win). Check it with `kensa test all --with-sso`.
"""

import base64
import binascii
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import sys
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))


def load_dotenv(path):
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return
    for line in lines:
        match = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", line)
        if not match or line.strip().startswith("#"):
            continue
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(match.group(1), value)


load_dotenv(os.path.join(HERE, ".env"))

PORT = int(os.environ.get("PORT") or 5000)
# Heroku signs every provisioning call with HTTP Basic auth: the add-on id and password
# from addon-manifest.json.
USERNAME = os.environ.get("HEROKU_USERNAME", "")
PASSWORD = os.environ.get("HEROKU_PASSWORD", "")
# The manifest's api.sso_salt; single sign-on is off without it.
SSO_SALT = os.environ.get("SSO_SALT", "")
# Where apps reach their resource; the config var URLs point here.
PUBLIC_URL = (os.environ.get("PUBLIC_URL") or "http://localhost:%d" % PORT).rstrip("/")
# The manifest's api.config_vars, comma-separated.
CONFIG_VARS = [
    name.strip()
    for name in (os.environ.get("ADDON_CONFIG_VARS") or USERNAME.upper().replace("-", "_") + "_URL").split(",")
    if name.strip()
]

# A sign-in is refused when its timestamp is older than 5 minutes or more than a minute
# ahead of our clock.
SSO_MAX_AGE_SECS = 5 * 60
SSO_MAX_FUTURE_SECS = 60
MAX_BODY_BYTES = 1024 * 1024

# In memory: a real service keeps these in its database, with a unique index on uuid.
RESOURCES = {}  # provider id -> {"id", "uuid", "plan", "region", "name", "live"}
BY_UUID = {}  # Heroku's resource uuid -> provider id
SESSIONS = {}  # session token -> {"resource_id", "email", "app"}
# Held by each request while it uses the store: repeats of a provision can overlap, and
# the lookup of a uuid and the insert must not let another request in between.
LOCK = threading.Lock()


def sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def safe_equal(a, b):
    """Compares digests, so neither the content nor the length of a secret leaks."""
    da = hashlib.sha256(str(a).encode("utf-8")).digest()
    db = hashlib.sha256(str(b).encode("utf-8")).digest()
    return hmac.compare_digest(da, db)


def new_id():
    """Letters only, so an id never contains the app number of a v1 heroku_id."""
    return "".join(chr(97 + byte % 26) for byte in secrets.token_bytes(10))


def cookie_value(raw):
    """nav-data is base64url, which is cookie-safe; anything else is percent-encoded."""
    return raw if re.fullmatch(r"[A-Za-z0-9_=.-]*", raw) else quote(raw, safe="")


def config_for(resource):
    """The config vars of a resource: `*_URL` vars point at it, others get a stable secret."""
    config = {}
    for name in CONFIG_VARS:
        if name.endswith("_URL"):
            config[name] = "%s/resources/%s" % (PUBLIC_URL, resource["id"])
        else:
            config[name] = sha256("%s:%s:%s" % (resource["id"], name, PASSWORD))[:32]
    return config


def find_resource(key):
    """A resource by the key Heroku uses: the uuid (v3) or the provider id (v1)."""
    return RESOURCES.get(BY_UUID.get(key, "")) or RESOURCES.get(key)


def json_object(body):
    try:
        value = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "addon"

    # ---------- plumbing ----------

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        # Any page may call us: the kensa playground runs in a browser on another origin.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Location, WWW-Authenticate, Content-Type, Content-Length")
        for name, value in headers or []:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def json(self, status, value, headers=None):
        body = json.dumps(value).encode("utf-8")
        self.send(status, body, [("Content-Type", "application/json; charset=utf-8")] + (headers or []))

    def html(self, status, title, body, headers=None):
        page = '<!doctype html>\n<html><head><meta charset="utf-8"><title>%s</title></head>\n<body>\n%s\n</body></html>\n'
        text = (page % (html.escape(title), body)).encode("utf-8")
        self.send(status, text, [("Content-Type", "text/html; charset=utf-8")] + (headers or []))

    def read_body(self):
        """Reads the whole body first, so an early answer never cuts the request off."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format, *args):
        pass

    def log_request(self, code="-", size="-"):
        # The path only: query strings carry SSO tokens.
        sys.stdout.write("%s %s -> %s\n" % (self.command, urlsplit(self.path).path, code))
        sys.stdout.flush()

    def authorized(self):
        match = re.match(r"^Basic\s+(\S+)$", (self.headers.get("Authorization") or "").strip(), re.IGNORECASE)
        if not match:
            return False
        try:
            decoded = base64.b64decode(match.group(1), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return False
        user, colon, password = decoded.partition(":")
        if not colon:
            return False
        # Both halves are always compared, so timing does not tell which one was wrong.
        user_ok = safe_equal(user, USERNAME)
        password_ok = safe_equal(password, PASSWORD)
        return user_ok and password_ok

    def unauthorized(self):
        self.json(401, {"message": "invalid credentials"}, [("WWW-Authenticate", 'Basic realm="%s"' % USERNAME)])

    # ---------- routing ----------

    def handle_any(self):
        body = self.read_body()
        if body is None:
            return self.json(413, {"message": "the body is too large"})
        url = urlsplit(self.path)
        parts = [unquote(part) for part in url.path.split("/") if part]
        method = self.command
        with LOCK:
            if parts[:2] == ["heroku", "resources"]:
                if len(parts) == 2 and method == "POST":
                    return self.provision(body)
                if len(parts) == 3 and method == "DELETE":
                    return self.deprovision(parts[2])
                if len(parts) == 3 and method == "PUT":
                    return self.plan_change(parts[2], body)
                if len(parts) == 3 and method == "GET":
                    # Legacy single sign-on: the provider id in the path, the rest in the query.
                    params = dict(parse_qsl(url.query))
                    params["id"] = parts[2]
                    return self.sso_login(params)
            if url.path == "/sso/login" and method == "POST":
                return self.sso_login(dict(parse_qsl(body.decode("utf-8", "replace"))))
            if url.path == "/dashboard" and method == "GET":
                return self.dashboard()
            if len(parts) == 2 and parts[0] == "resources" and method == "GET":
                return self.resource_page(parts[1])
            if url.path == "/" and method == "GET":
                return self.json(200, {"addon": USERNAME, "status": "running"})
        self.json(404, {"message": "not found"})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def do_OPTIONS(self):
        self.read_body()
        requested = self.headers.get("Access-Control-Request-Headers") or "Authorization, Content-Type, Accept"
        self.send(
            204,
            headers=[
                ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
                ("Access-Control-Allow-Headers", requested),
                ("Access-Control-Max-Age", "600"),
            ],
        )

    # ---------- provisioning API ----------

    def provision(self, body):
        if not self.authorized():
            return self.unauthorized()
        params = json_object(body)
        if params is None:
            return self.json(400, {"message": "the body must be a JSON object"})
        plan = params.get("plan")
        if not isinstance(plan, str) or not plan:
            return self.json(422, {"message": "plan is required"})
        uuid = params.get("uuid") if isinstance(params.get("uuid"), str) and params.get("uuid") else None
        # Heroku delivers at least once: the same uuid again is the same resource.
        existing = RESOURCES.get(BY_UUID.get(uuid, "")) if uuid else None
        if existing and not existing["live"]:
            return self.json(410, {"message": "this resource was deprovisioned"})
        resource = existing
        if resource is None:
            resource = {
                "id": new_id(),
                "uuid": uuid,
                "plan": plan,
                "region": params.get("region"),
                "name": params.get("name"),
                "live": True,
            }
            RESOURCES[resource["id"]] = resource
            if uuid:
                BY_UUID[uuid] = resource["id"]
        verb = "already provisioned" if existing else "provisioned"
        self.json(
            200,
            {"id": resource["id"], "config": config_for(resource), "message": "%s on plan %s" % (verb, resource["plan"])},
        )

    def deprovision(self, key):
        if not self.authorized():
            return self.unauthorized()
        resource = find_resource(key)
        if resource is None:
            return self.json(404, {"message": "no such resource"})
        if not resource["live"]:
            return self.json(410, {"message": "already deprovisioned"})
        resource["live"] = False
        self.send(204)

    def plan_change(self, key, body):
        if not self.authorized():
            return self.unauthorized()
        params = json_object(body)
        if params is None:
            return self.json(400, {"message": "the body must be a JSON object"})
        plan = params.get("plan")
        if not isinstance(plan, str) or not plan:
            return self.json(422, {"message": "plan is required"})
        resource = find_resource(key)
        if resource is None:
            return self.json(404, {"message": "no such resource"})
        if not resource["live"]:
            return self.json(410, {"message": "this resource was deprovisioned"})
        previous, resource["plan"] = resource["plan"], plan
        self.json(200, {"config": config_for(resource), "message": "plan changed from %s to %s" % (previous, plan)})

    # ---------- single sign-on ----------

    def forbidden(self, reason):
        self.html(403, "Forbidden", "<h1>Forbidden</h1>\n<p>%s</p>" % html.escape(reason))

    def sso_login(self, params):
        if not SSO_SALT:
            return self.html(404, "Single sign-on is off", "<p>Set SSO_SALT to turn single sign-on on.</p>")
        timestamp = params.get("timestamp", "")
        now = int(time.time())
        if not re.fullmatch(r"\d{1,12}", timestamp):
            return self.forbidden("the timestamp is missing or invalid")
        if now - int(timestamp) > SSO_MAX_AGE_SECS:
            return self.forbidden("the timestamp is too old")
        if int(timestamp) - now > SSO_MAX_FUTURE_SECS:
            return self.forbidden("the timestamp is in the future")

        # Any one valid token will do; each is compared in constant time.
        resource, key = None, None
        rid, uuid = params.get("id"), params.get("resource_id")
        token, resource_token = params.get("token"), params.get("resource_token")
        user_token = params.get("user_scoped_resource_token")
        if rid and token and safe_equal(token, sha1("%s:%s:%s" % (rid, SSO_SALT, timestamp))):
            resource, key = RESOURCES.get(rid), rid
        elif uuid and resource_token and safe_equal(resource_token, sha1("%s:%s:%s" % (uuid, SSO_SALT, timestamp))):
            resource, key = RESOURCES.get(BY_UUID.get(uuid, "")), uuid
        elif uuid and user_token:
            signed = "%s:%s:%s:%s:%s" % (uuid, SSO_SALT, timestamp, params.get("user_id", ""), params.get("email", ""))
            if safe_equal(user_token, sha256(signed)):
                resource, key = RESOURCES.get(BY_UUID.get(uuid, "")), uuid
        if key is None:
            return self.forbidden("the token is invalid")
        if resource is None:
            return self.html(404, "Not found", "<p>No resource %s.</p>" % html.escape(key))
        if not resource["live"]:
            return self.html(410, "Gone", "<p>This resource was deprovisioned.</p>")

        session = secrets.token_hex(16)
        SESSIONS[session] = {
            "resource_id": resource["id"],
            "email": params.get("email", ""),
            "app": params.get("context_app") or params.get("app", ""),
        }
        headers = [("Location", "/dashboard"), ("Set-Cookie", "session=%s; Path=/; HttpOnly; SameSite=Lax" % session)]
        if params.get("nav-data"):
            headers.append(("Set-Cookie", "heroku-nav-data=%s; Path=/" % cookie_value(params["nav-data"])))
        self.send(302, headers=headers)

    def dashboard(self):
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie") or "")
        except Exception:
            pass
        session = SESSIONS.get(jar["session"].value) if "session" in jar else None
        if session is None:
            return self.html(403, "Not signed in", "<p>Open this add-on from the Heroku dashboard to sign in.</p>")
        resource = RESOURCES.get(session["resource_id"]) or {}
        esc = html.escape
        self.html(
            200,
            "%s dashboard" % USERNAME,
            '<div id="heroku-header"><strong>Heroku</strong> &middot; %s &middot; '
            '<a href="https://dashboard.heroku.com/">back to Heroku</a></div>\n<main>\n<h1>%s</h1>\n'
            "<dl>\n<dt>Resource</dt><dd>%s</dd>\n<dt>Plan</dt><dd>%s</dd>\n"
            "<dt>Signed in as</dt><dd>%s</dd>\n</dl>\n</main>"
            % (
                esc(session["app"]),
                esc(USERNAME),
                esc(session["resource_id"]),
                esc(resource.get("plan", "")),
                esc(session["email"]),
            ),
        )

    def resource_page(self, rid):
        """What a config var URL points at: the service an app would use."""
        resource = RESOURCES.get(rid)
        if resource is None:
            return self.json(404, {"message": "no such resource"})
        if not resource["live"]:
            return self.json(410, {"message": "this resource was deprovisioned"})
        self.json(200, {"id": resource["id"], "plan": resource["plan"]})


def main():
    if not USERNAME or not PASSWORD:
        sys.exit("app.py: set HEROKU_USERNAME and HEROKU_PASSWORD (see .env and addon-manifest.json)")
    server = ThreadingHTTPServer(("", PORT), Handler)
    server.daemon_threads = True
    print(
        "%s add-on listening on port %d (config vars %s, SSO %s)"
        % (USERNAME, PORT, ", ".join(CONFIG_VARS), "on" if SSO_SALT else "off"),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
