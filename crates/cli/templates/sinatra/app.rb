# A Heroku add-on provider service in Sinatra: the provisioning API (provision,
# deprovision, plan change) and single sign-on, grown from the Sinatra code of Heroku's
# "Building a Heroku add-on" guide.
#
# Start it with `ruby app.rb`; it reads .env in this folder (variables already set in
# the environment win). Check it with `kensa test all --with-sso`.

require "digest"
require "json"
require "securerandom"

def load_dotenv(path)
  return unless File.file?(path)

  File.readlines(path, chomp: true).each do |line|
    next if line.strip.start_with?("#")

    match = /\A\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*\z/.match(line)
    next unless match

    value = match[2]
    value = value[1..-2] if value.length >= 2 && value[0] == value[-1] && "\"'".include?(value[0])
    ENV[match[1]] ||= value
  end
end

# Before Sinatra starts: it reads PORT and RACK_ENV from the environment too.
load_dotenv(File.join(__dir__, ".env"))

begin
  require "sinatra"
rescue LoadError
  abort "app.rb: needs Sinatra: `apt-get install ruby-sinatra` (Debian, Ubuntu) or `bundle install`"
end

PORT = Integer(ENV.fetch("PORT", "").empty? ? "5000" : ENV["PORT"], exception: false) || 5000
# Heroku signs every provisioning call with HTTP Basic auth: the add-on id and password
# from addon-manifest.json.
USERNAME = ENV.fetch("HEROKU_USERNAME", "")
PASSWORD = ENV.fetch("HEROKU_PASSWORD", "")
# The manifest's api.sso_salt; single sign-on is off without it.
SSO_SALT = ENV.fetch("SSO_SALT", "")
# Where apps reach their resource; the config var URLs point here.
PUBLIC_URL = (ENV["PUBLIC_URL"].to_s.empty? ? "http://localhost:#{PORT}" : ENV["PUBLIC_URL"]).sub(%r{/+\z}, "")
# The manifest's api.config_vars, comma-separated.
CONFIG_VARS = (ENV["ADDON_CONFIG_VARS"].to_s.empty? ? "#{USERNAME.upcase.tr('-', '_')}_URL" : ENV["ADDON_CONFIG_VARS"])
              .split(",").map(&:strip).reject(&:empty?)

# A sign-in is refused when its timestamp is older than 5 minutes or more than a minute
# ahead of our clock.
SSO_MAX_AGE_SECS = 5 * 60
SSO_MAX_FUTURE_SECS = 60
MAX_BODY_BYTES = 1024 * 1024

# The guide's `Database`, in memory: a real service keeps its resources in its own
# database, with a unique index on Heroku's uuid.
class Database
  attr_reader :id, :uuid, :plan, :region, :name

  @all = {}      # provider id -> Database
  @by_uuid = {}  # Heroku's resource uuid -> Database
  @lock = Mutex.new

  class << self
    # Heroku delivers at least once: the same uuid again is the same resource, so a
    # repeat gets the existing one (`created` false) instead of a second resource. The
    # lock spans the lookup and the insert: WEBrick runs overlapping repeats on threads.
    def create!(uuid:, plan:, region: nil, name: nil)
      @lock.synchronize do
        existing = uuid && @by_uuid[uuid]
        return [existing, false] if existing

        db = new(new_id, uuid, plan, region, name)
        @all[db.id] = db
        @by_uuid[uuid] = db if uuid
        [db, true]
      end
    end

    # By the key Heroku puts in the path: the uuid (v3 manifests) or our id (v1).
    def find(key)
      @lock.synchronize { @by_uuid[key] || @all[key] }
    end

    def synchronize(&block)
      @lock.synchronize(&block)
    end

    private

    # Letters only, so an id never contains the app number of a v1 heroku_id.
    def new_id
      SecureRandom.random_bytes(10).bytes.map { |byte| (97 + (byte % 26)).chr }.join
    end
  end

  def initialize(id, uuid, plan, region, name)
    @id = id
    @uuid = uuid
    @plan = plan
    @region = region
    @name = name
    @live = true
  end

  def live?
    @live
  end

  # Deprovisioned resources are kept (not live), so a late repeat of their uuid gets
  # 410 instead of a new resource.
  def destroy
    Database.synchronize { @live = false }
  end

  def change_plan(plan)
    Database.synchronize { @plan = plan }
  end

  def url
    "#{PUBLIC_URL}/resources/#{id}"
  end

  # The config vars: `*_URL` vars point at the resource, others get a stable secret.
  def config
    CONFIG_VARS.to_h do |var|
      [var, var.end_with?("_URL") ? url : Digest::SHA256.hexdigest("#{id}:#{var}:#{PASSWORD}")[0, 32]]
    end
  end
end

# Refuses a body over MAX_BODY_BYTES before anything reads it.
class BodyLimit
  def initialize(app)
    @app = app
  end

  def call(env)
    return @app.call(env) unless env["CONTENT_LENGTH"].to_i > MAX_BODY_BYTES

    # Lower-case names, as Rack 3 requires.
    [413, { "content-type" => "application/json; charset=utf-8", "access-control-allow-origin" => "*" },
     [JSON.generate(message: "the body is too large")]]
  end
end

SESSIONS = {} # session token -> { resource_id:, email:, app: }
SESSIONS_LOCK = Mutex.new

set :port, PORT
set :bind, "0.0.0.0"
# WEBrick ships with Debian's ruby package (ruby-webrick); Ruby 3.0 and newer no longer
# bundle it, so the Gemfile names it for Heroku.
set :server, "webrick"
# No access log: query strings carry SSO tokens. The `after` filter logs paths only.
set :logging, false
set :server_settings, AccessLog: []
set :show_exceptions, false
set :raise_errors, false
# The kensa playground calls from a browser on another origin, which these refuse.
set :protection, except: %i[http_origin json_csrf]
# A relative Location: an absolute one would be built from the request's (forwarded)
# host, which the client chooses.
set :absolute_redirects, false

use BodyLimit

helpers do
  def sha1(text)
    Digest::SHA1.hexdigest(text)
  end

  def sha256(text)
    Digest::SHA256.hexdigest(text)
  end

  # Compares digests, so neither the content nor the length of a secret leaks through
  # timing.
  def safe_equal?(a, b)
    Rack::Utils.secure_compare(sha256(a.to_s), sha256(b.to_s))
  end

  # A request parameter as a string; `id[]=x` and the like count as missing.
  def param(name)
    value = params[name]
    value.is_a?(String) && !value.empty? ? value : nil
  end

  def json(status_code, value)
    halt status_code, { "Content-Type" => "application/json; charset=utf-8" }, JSON.generate(value)
  end

  def page(status_code, title, body)
    html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>#{h(title)}</title></head>\n" \
           "<body>\n#{body}\n</body></html>\n"
    halt status_code, { "Content-Type" => "text/html; charset=utf-8" }, html
  end

  def h(text)
    Rack::Utils.escape_html(text.to_s)
  end

  # The guide's `use Rack::Auth::Basic`, for the provisioning API only (single sign-on
  # comes from a browser): both halves are always compared, so timing does not tell
  # which one was wrong.
  def protected!
    auth = Rack::Auth::Basic::Request.new(request.env)
    if auth.provided? && auth.basic? && auth.credentials
      user, password = auth.credentials
      user_ok = safe_equal?(user, USERNAME)
      password_ok = safe_equal?(password, PASSWORD)
      return if user_ok && password_ok
    end
    headers "WWW-Authenticate" => %(Basic realm="#{USERNAME}")
    json 401, message: "invalid credentials"
  end

  # The JSON object in the body, or a 400.
  def json_body
    body = JSON.parse(request.body.read)
    body.is_a?(Hash) ? body : json(400, message: "the body must be a JSON object")
  rescue JSON::ParserError, EncodingError
    json 400, message: "the body must be a JSON object"
  end

  def plan_from(body)
    plan = body["plan"]
    plan.is_a?(String) && !plan.empty? ? plan : json(422, message: "plan is required")
  end

  def live_resource(key)
    db = Database.find(key)
    json 404, message: "no such resource" unless db
    json 410, message: "this resource was deprovisioned" unless db.live?
    db
  end

  def forbidden(reason)
    page 403, "Forbidden", "<h1>Forbidden</h1>\n<p>#{h(reason)}</p>"
  end

  # Checks the signature and the timestamp, then signs the user in and sends them to
  # the dashboard. Any one valid token will do.
  def sso_login
    page 404, "Single sign-on is off", "<p>Set SSO_SALT to turn single sign-on on.</p>" if SSO_SALT.empty?

    timestamp = param("timestamp").to_s
    forbidden "the timestamp is missing or invalid" unless timestamp.match?(/\A\d{1,12}\z/)
    now = Time.now.to_i
    forbidden "the timestamp is too old" if now - timestamp.to_i > SSO_MAX_AGE_SECS
    forbidden "the timestamp is in the future" if timestamp.to_i - now > SSO_MAX_FUTURE_SECS

    id = param("id")
    uuid = param("resource_id")
    token = param("token")
    resource_token = param("resource_token")
    user_token = param("user_scoped_resource_token")
    key =
      if id && token && safe_equal?(token, sha1("#{id}:#{SSO_SALT}:#{timestamp}"))
        id
      elsif uuid && resource_token && safe_equal?(resource_token, sha1("#{uuid}:#{SSO_SALT}:#{timestamp}"))
        uuid
      elsif uuid && user_token &&
            safe_equal?(user_token, sha256("#{uuid}:#{SSO_SALT}:#{timestamp}:#{param('user_id')}:#{param('email')}"))
        uuid
      end
    forbidden "the token is invalid" unless key

    # The signed key finds the resource by either name: our id or Heroku's uuid.
    db = Database.find(key)
    page 404, "Not found", "<p>No resource #{h(key)}.</p>" unless db
    page 410, "Gone", "<p>This resource was deprovisioned.</p>" unless db.live?

    session = SecureRandom.hex(16)
    SESSIONS_LOCK.synchronize do
      SESSIONS[session] = { resource_id: db.id, email: param("email").to_s,
                            app: (param("context_app") || param("app")).to_s }
    end
    response.set_cookie("session", value: session, path: "/", httponly: true, same_site: :lax)
    # Pages in the session show Heroku's header from this cookie.
    nav_data = param("nav-data")
    response.set_cookie("heroku-nav-data", value: nav_data, path: "/") if nav_data
    redirect "/dashboard", 302
  end
end

before do
  # Any page may call us: the kensa playground runs in a browser on another origin.
  headers "Access-Control-Allow-Origin" => "*",
          "Access-Control-Expose-Headers" => "Location, WWW-Authenticate, Content-Type, Content-Length"
end

after do
  # The path only: query strings carry SSO tokens.
  $stdout.puts "#{request.request_method} #{request.path_info} -> #{response.status}"
  $stdout.flush
end

options "*" do
  requested = request.env["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"].to_s
  headers "Access-Control-Allow-Methods" => "GET, POST, PUT, DELETE, OPTIONS",
          "Access-Control-Allow-Headers" => requested.empty? ? "Authorization, Content-Type, Accept" : requested,
          "Access-Control-Max-Age" => "600"
  halt 204
end

# ---------- provisioning API ----------

post "/heroku/resources" do
  protected!
  body = json_body
  plan = plan_from(body)
  uuid = body["uuid"].is_a?(String) && !body["uuid"].empty? ? body["uuid"] : nil
  # As in the guide: `region = JSON.parse(request.body.read)['region']`.
  region = body["region"].is_a?(String) ? body["region"] : nil
  db, created = Database.create!(uuid: uuid, plan: plan, region: region, name: body["name"].to_s)
  json 410, message: "this resource was deprovisioned" unless db.live?
  json 200, id: db.id, config: db.config,
            message: "#{created ? 'provisioned' : 'already provisioned'} on plan #{db.plan}"
end

# `:id` is Heroku's uuid for a v3 manifest, our id for a v1 manifest.
delete "/heroku/resources/:id" do
  protected!
  db = Database.find(params[:id])
  json 404, message: "no such resource" unless db
  json 410, message: "already deprovisioned" unless db.live?
  db.destroy
  halt 204
end

put "/heroku/resources/:id" do
  protected!
  plan = plan_from(json_body)
  db = live_resource(params[:id])
  previous = db.plan
  db.change_plan(plan)
  json 200, config: db.config, message: "plan changed from #{previous} to #{plan}"
end

# ---------- single sign-on ----------

# The form Heroku's dashboard posts to the manifest's sso_url.
post "/sso/login" do
  sso_login
end

# Legacy single sign-on (a manifest without sso_url): our id in the path, the rest in
# the query string.
get "/heroku/resources/:id" do
  sso_login
end

# The page behind the sign-in, in Heroku's layout.
get "/dashboard" do
  token = request.cookies["session"]
  session = token && SESSIONS_LOCK.synchronize { SESSIONS[token] }
  page 403, "Not signed in", "<p>Open this add-on from the Heroku dashboard to sign in.</p>" unless session

  db = Database.find(session[:resource_id])
  page 200, "#{USERNAME} dashboard",
       "<div id=\"heroku-header\"><strong>Heroku</strong> &middot; #{h(session[:app])} &middot; " \
       "<a href=\"https://dashboard.heroku.com/\">back to Heroku</a></div>\n<main>\n<h1>#{h(USERNAME)}</h1>\n" \
       "<dl>\n<dt>Resource</dt><dd>#{h(session[:resource_id])}</dd>\n<dt>Plan</dt><dd>#{h(db&.plan)}</dd>\n" \
       "<dt>Signed in as</dt><dd>#{h(session[:email])}</dd>\n</dl>\n</main>"
end

# What a config var URL points at: the service an app would use.
get "/resources/:id" do
  db = Database.find(params[:id])
  json 404, message: "no such resource" unless db && db.id == params[:id]
  json 410, message: "this resource was deprovisioned" unless db.live?
  json 200, id: db.id, plan: db.plan
end

get "/" do
  json 200, addon: USERNAME, status: "running"
end

not_found do
  # A route's own 404 keeps its message.
  next unless env["sinatra.error"]

  content_type "application/json; charset=utf-8"
  JSON.generate(message: "not found")
end

# Rack refuses too many, too long or too deep form parameters with a RangeError.
error RangeError do
  status 400
  content_type "application/json; charset=utf-8"
  JSON.generate(message: "the request's parameters are too large")
end

error do
  content_type "application/json; charset=utf-8"
  JSON.generate(message: "internal error")
end

if USERNAME.empty? || PASSWORD.empty?
  abort "app.rb: set HEROKU_USERNAME and HEROKU_PASSWORD (see .env and addon-manifest.json)"
end

if $PROGRAM_NAME == __FILE__
  begin
    require "webrick"
  rescue LoadError
    abort "app.rb: needs the WEBrick web server: `apt-get install ruby-webrick` or `gem install webrick`"
  end
  $stdout.puts "#{USERNAME} add-on listening on port #{PORT} " \
               "(config vars #{CONFIG_VARS.join(', ')}, SSO #{SSO_SALT.empty? ? 'off' : 'on'})"
  $stdout.flush
end
