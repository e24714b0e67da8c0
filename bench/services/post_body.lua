-- Throughput load for bench/services.sh: each wrk connection POSTs one body as soon as its previous
-- answer came back (a closed loop, like a caller waiting for its prediction), and done() prints one
-- JSON line: {"requests": answers with status 200, "errors": every other answer or socket error,
-- "rate": 200s per second}.
--   wrk -t1 -c16 -d20s -s bench/services/post_body.lua URL -- BODY_FILE
-- DCLOUD_TOKEN, when set, is sent as the bearer token (the gateway's URL needs it; a replica's does not).
-- It replaces Python for this part of the benchmark: at 2,000 calls a second the Python callers took
-- most of a core from the gateway they were measuring on a two-core machine.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(assert(args[1], "post_body.lua: give the body's file after --"), "rb"))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("DCLOUD_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  ok, failed = 0, 0
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local answered, errors = 0, 0
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("ok")
    errors = errors + thread:get("failed")
  end
  local e = summary.errors
  errors = errors + e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format('{"requests": %d, "errors": %d, "rate": %.1f}\n', answered, errors, answered / seconds))
end
