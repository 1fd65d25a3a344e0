'use strict';
// A Heroku add-on provider service: the provisioning API (provision, deprovision,
// plan change) and single sign-on, with the Node.js standard library only.
//
// Start it with `node web.js`; it reads .env in this folder (variables already set in
// the environment win). Check it with `kensa test all --with-sso`.

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

loadDotenv(path.join(__dirname, '.env'));

const PORT = Number(process.env.PORT || 5000);
// Heroku signs every provisioning call with HTTP Basic auth: the add-on id and password
// from addon-manifest.json.
const USERNAME = process.env.HEROKU_USERNAME || '';
const PASSWORD = process.env.HEROKU_PASSWORD || '';
// The manifest's api.sso_salt; single sign-on is off without it.
const SSO_SALT = process.env.SSO_SALT || '';
// Where apps reach their resource; the config var URLs point here.
const PUBLIC_URL = (process.env.PUBLIC_URL || `http://localhost:${PORT}`).replace(/\/+$/, '');
// The manifest's api.config_vars, comma-separated.
const CONFIG_VARS = (process.env.ADDON_CONFIG_VARS || `${USERNAME.toUpperCase().replace(/-/g, '_')}_URL`)
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');

// A sign-in is refused when its timestamp is older than 5 minutes or more than a minute
// ahead of our clock.
const SSO_MAX_AGE_SECS = 5 * 60;
const SSO_MAX_FUTURE_SECS = 60;
const MAX_BODY_BYTES = 1024 * 1024;

if (!USERNAME || !PASSWORD) {
  console.error('web.js: set HEROKU_USERNAME and HEROKU_PASSWORD (see .env and addon-manifest.json)');
  process.exit(1);
}

// In memory: a real service keeps these in its database, with a unique index on uuid.
const resources = new Map(); // provider id -> { id, uuid, plan, region, name, live }
const byUuid = new Map(); // Heroku's resource uuid -> provider id
const sessions = new Map(); // session token -> { resourceId, email, app }

// ---------- helpers ----------

function loadDotenv(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return;
  }
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    let value = match[2];
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    if (process.env[match[1]] === undefined) process.env[match[1]] = value;
  }
}

function sha1(text) {
  return crypto.createHash('sha1').update(text, 'utf8').digest('hex');
}

function sha256(text) {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

// Compares digests, so neither the content nor the length of a secret leaks through timing.
function safeEqual(a, b) {
  const da = crypto.createHash('sha256').update(String(a), 'utf8').digest();
  const db = crypto.createHash('sha256').update(String(b), 'utf8').digest();
  return crypto.timingSafeEqual(da, db);
}

// Letters only, so an id never contains the app number of a v1 heroku_id.
function newId() {
  return Array.from(crypto.randomBytes(10), (byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// nav-data is base64url, which is cookie-safe; anything else is percent-encoded.
function cookieValue(raw) {
  return /^[A-Za-z0-9_=.-]*$/.test(raw) ? raw : encodeURIComponent(raw);
}

function cookies(req) {
  const jar = {};
  for (const pair of (req.headers.cookie || '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) jar[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return jar;
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : body;
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function json(res, status, value, headers = {}) {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

function html(res, status, title, body, headers = {}) {
  const page = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;
  send(res, status, page, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
}

function authorized(req) {
  const header = req.headers.authorization || '';
  const match = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both halves are always compared, so timing does not tell which one was wrong.
  const userOk = safeEqual(decoded.slice(0, colon), USERNAME);
  const passwordOk = safeEqual(decoded.slice(colon + 1), PASSWORD);
  return userOk && passwordOk;
}

function unauthorized(res) {
  json(res, 401, { message: 'invalid credentials' }, { 'WWW-Authenticate': `Basic realm="${USERNAME}"` });
}

function parseJsonObject(body) {
  try {
    const value = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch (error) {
    return null;
  }
}

// The config vars of a resource: `*_URL` vars point at it, others get a stable secret.
function configFor(resource) {
  const config = {};
  for (const name of CONFIG_VARS) {
    config[name] = name.endsWith('_URL')
      ? `${PUBLIC_URL}/resources/${resource.id}`
      : sha256(`${resource.id}:${name}:${PASSWORD}`).slice(0, 32);
  }
  return config;
}

// A resource by the key Heroku uses: the uuid (v3) or the provider id (v1).
function findResource(key) {
  return resources.get(byUuid.get(key)) || resources.get(key);
}

// ---------- provisioning API ----------

function provision(req, res, body) {
  if (!authorized(req)) return unauthorized(res);
  const params = parseJsonObject(body);
  if (!params) return json(res, 400, { message: 'the body must be a JSON object' });
  if (typeof params.plan !== 'string' || params.plan === '') return json(res, 422, { message: 'plan is required' });
  const uuid = typeof params.uuid === 'string' && params.uuid !== '' ? params.uuid : null;
  // Heroku delivers at least once: the same uuid again is the same resource. Nothing is
  // awaited between this lookup and the insert, so an overlapping repeat cannot come between.
  const existing = uuid && resources.get(byUuid.get(uuid));
  if (existing && !existing.live) return json(res, 410, { message: 'this resource was deprovisioned' });
  let resource = existing;
  if (!resource) {
    resource = { id: newId(), uuid, plan: params.plan, region: params.region, name: params.name, live: true };
    resources.set(resource.id, resource);
    if (uuid) byUuid.set(uuid, resource.id);
  }
  json(res, 200, {
    id: resource.id,
    config: configFor(resource),
    message: existing ? `already provisioned on plan ${resource.plan}` : `provisioned on plan ${resource.plan}`,
  });
}

function deprovision(req, res, key) {
  if (!authorized(req)) return unauthorized(res);
  const resource = findResource(key);
  if (!resource) return json(res, 404, { message: 'no such resource' });
  if (!resource.live) return json(res, 410, { message: 'already deprovisioned' });
  resource.live = false;
  send(res, 204);
}

function planChange(req, res, key, body) {
  if (!authorized(req)) return unauthorized(res);
  const params = parseJsonObject(body);
  if (!params) return json(res, 400, { message: 'the body must be a JSON object' });
  if (typeof params.plan !== 'string' || params.plan === '') return json(res, 422, { message: 'plan is required' });
  const resource = findResource(key);
  if (!resource) return json(res, 404, { message: 'no such resource' });
  if (!resource.live) return json(res, 410, { message: 'this resource was deprovisioned' });
  const previous = resource.plan;
  resource.plan = params.plan;
  json(res, 200, { config: configFor(resource), message: `plan changed from ${previous} to ${resource.plan}` });
}

// ---------- single sign-on ----------

// Checks the signed parameters; answers with the resource or writes the refusal.
function ssoLogin(res, params) {
  if (!SSO_SALT) return html(res, 404, 'Single sign-on is off', '<p>Set SSO_SALT to turn single sign-on on.</p>');
  const timestamp = params.timestamp || '';
  const now = Math.floor(Date.now() / 1000);
  if (!/^\d{1,12}$/.test(timestamp)) return forbidden(res, 'the timestamp is missing or invalid');
  if (now - Number(timestamp) > SSO_MAX_AGE_SECS) return forbidden(res, 'the timestamp is too old');
  if (Number(timestamp) - now > SSO_MAX_FUTURE_SECS) return forbidden(res, 'the timestamp is in the future');

  // Any one valid token will do; each is compared in constant time.
  let resource = null;
  const { id, token, resource_id: uuid, resource_token: resourceToken } = params;
  const userToken = params.user_scoped_resource_token;
  if (id && token && safeEqual(token, sha1(`${id}:${SSO_SALT}:${timestamp}`))) {
    resource = resources.get(id) || { missing: id };
  }
  if (!resource && uuid && resourceToken && safeEqual(resourceToken, sha1(`${uuid}:${SSO_SALT}:${timestamp}`))) {
    resource = resources.get(byUuid.get(uuid)) || { missing: uuid };
  }
  const signedUser = `${uuid}:${SSO_SALT}:${timestamp}:${params.user_id || ''}:${params.email || ''}`;
  if (!resource && uuid && userToken && safeEqual(userToken, sha256(signedUser))) {
    resource = resources.get(byUuid.get(uuid)) || { missing: uuid };
  }
  if (!resource) return forbidden(res, 'the token is invalid');
  if (resource.missing) return html(res, 404, 'Not found', `<p>No resource ${escapeHtml(resource.missing)}.</p>`);
  if (!resource.live) return html(res, 410, 'Gone', '<p>This resource was deprovisioned.</p>');

  const session = crypto.randomBytes(16).toString('hex');
  sessions.set(session, { resourceId: resource.id, email: params.email || '', app: params.context_app || params.app || '' });
  const setCookie = [`session=${session}; Path=/; HttpOnly; SameSite=Lax`];
  if (params['nav-data']) setCookie.push(`heroku-nav-data=${cookieValue(params['nav-data'])}; Path=/`);
  send(res, 302, '', { Location: '/dashboard', 'Set-Cookie': setCookie });
}

function forbidden(res, reason) {
  html(res, 403, 'Forbidden', `<h1>Forbidden</h1>\n<p>${escapeHtml(reason)}</p>`);
}

function dashboard(req, res) {
  const session = sessions.get(cookies(req).session);
  if (!session) return html(res, 403, 'Not signed in', '<p>Open this add-on from the Heroku dashboard to sign in.</p>');
  const resource = resources.get(session.resourceId);
  html(
    res,
    200,
    `${USERNAME} dashboard`,
    `<div id="heroku-header"><strong>Heroku</strong> &middot; ${escapeHtml(session.app)} &middot; ` +
      `<a href="https://dashboard.heroku.com/">back to Heroku</a></div>\n<main>\n<h1>${escapeHtml(USERNAME)}</h1>\n` +
      `<dl>\n<dt>Resource</dt><dd>${escapeHtml(session.resourceId)}</dd>\n` +
      `<dt>Plan</dt><dd>${escapeHtml(resource ? resource.plan : '')}</dd>\n` +
      `<dt>Signed in as</dt><dd>${escapeHtml(session.email)}</dd>\n</dl>\n</main>`,
  );
}

// ---------- the server ----------

// What a config var URL points at: the service an app would use.
function resourcePage(res, id) {
  const resource = resources.get(id);
  if (!resource) return json(res, 404, { message: 'no such resource' });
  if (!resource.live) return json(res, 410, { message: 'this resource was deprovisioned' });
  json(res, 200, { id: resource.id, plan: resource.plan });
}

function route(req, res, body) {
  const url = new URL(req.url, 'http://localhost');
  let parts;
  try {
    parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  } catch (error) {
    return json(res, 400, { message: 'the path is not valid' });
  }
  const method = req.method;
  if (method === 'OPTIONS') {
    return send(res, 204, '', {
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || 'Authorization, Content-Type, Accept',
      'Access-Control-Max-Age': '600',
    });
  }
  if (parts[0] === 'heroku' && parts[1] === 'resources') {
    if (parts.length === 2 && method === 'POST') return provision(req, res, body);
    if (parts.length === 3 && method === 'DELETE') return deprovision(req, res, parts[2]);
    if (parts.length === 3 && method === 'PUT') return planChange(req, res, parts[2], body);
    if (parts.length === 3 && method === 'GET') {
      // Legacy single sign-on: the provider id in the path, the rest in the query.
      return ssoLogin(res, { ...Object.fromEntries(url.searchParams), id: parts[2] });
    }
  }
  if (url.pathname === '/sso/login' && method === 'POST') {
    return ssoLogin(res, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  }
  if (url.pathname === '/dashboard' && method === 'GET') return dashboard(req, res);
  if (parts[0] === 'resources' && parts.length === 2 && method === 'GET') return resourcePage(res, parts[1]);
  if (url.pathname === '/' && method === 'GET') return json(res, 200, { addon: USERNAME, status: 'running' });
  json(res, 404, { message: 'not found' });
}

const server = http.createServer((req, res) => {
  // Any page may call us: the kensa playground runs in a browser on another origin.
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Location, WWW-Authenticate, Content-Type, Content-Length');
  // Log the path only: query strings carry SSO tokens.
  res.on('finish', () => console.log(`${req.method} ${req.url.split('?')[0]} -> ${res.statusCode}`));
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return json(res, 413, { message: 'the body is too large' });
    try {
      route(req, res, Buffer.concat(chunks));
    } catch (error) {
      console.error(error);
      if (!res.headersSent) json(res, 500, { message: 'internal error' });
    }
  });
});

server.listen(PORT, () => {
  console.log(`${USERNAME} add-on listening on port ${PORT} (config vars ${CONFIG_VARS.join(', ')}, SSO ${SSO_SALT ? 'on' : 'off'})`);
});
