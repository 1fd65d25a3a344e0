# For `rackup` and other Rack servers: `rackup -p 5000`.
require_relative "app"

run Sinatra::Application
