-- Fixed-rate pacing and reporting shared by the wrk scripts of bench/api.sh (wrk 4.1, LuaJIT).
--
-- Debian's wrk is wrk 4.1, not wrk2: it has no -R flag. The rate is held here instead, through wrk's
-- delay() hook: before each request a connection asks its thread's pacer how long to wait, and the
-- pacer hands out send slots 1/rate apart (per thread: threads * 1000 / rate ms). With enough idle
-- connections every slot is used on time, so all connections together issue `rate` requests/s.
--
-- HONEST CAVEAT: this is CLOSED-LOOP pacing. A connection only takes a new slot after its previous
-- response came back. When the server stalls longer than the idle connections can cover, slots are
-- sent late (then back-to-back to catch up) and wrk measures latency from the actual send, not from
-- the slot: the waiting time is missing from the percentiles (coordinated omission), so a stall can
-- look shorter than a user would feel it. The "late" count (slots sent more than 1 ms after their
-- time) and the achieved rate printed next to the percentiles show when that happened: with
-- late = 0 and the achieved rate equal to the target, the figures are what an open-loop client
-- would have measured.
--
-- A script that loads this file may define request() (and must keep response() below, or call
-- count_status(status) from its own). Script arguments (after `--` on the wrk command line),
-- key=value:
--   rate=2000     total requests/s over all threads and connections (required)
--   threads=1     the -t given to wrk (each thread paces rate/threads)
--   name=get_env  label of the RESULT line
-- The RESULT line done() prints is what bench/api.sh parses:
--   RESULT name=... target_rps=... achieved_rps=... requests=... duration_s=... p50_ms=... p90_ms=...
--          p99_ms=... max_ms=... errors=... non2xx=... late=... max_late_ms=... statuses=200:n,...

local ffi = require("ffi")

-- Every API request is a user's: the bench signs in and exports its token (bench/lib/instance.sh).
local token = os.getenv("DCLOUD_TOKEN")
if token then
  wrk.headers["Authorization"] = "Bearer " .. token
end
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } dcloud_bench_timespec;
  int clock_gettime(int clock_id, dcloud_bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("dcloud_bench_timespec")

-- Monotonic time in milliseconds (fractional).
function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- Parses key=value script arguments into a table.
function parse_args(args)
  local opts = {}
  for _, a in ipairs(args or {}) do
    local k, v = string.match(a, "^([%w_]+)=(.*)$")
    if k then opts[k] = v end
  end
  return opts
end

-------------------------------------------------------------------------------- main state (setup/done)

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_no", #threads)
end

-------------------------------------------------------------------------------- thread state

opts = {}
interval_ms = nil   -- time between two slots of this thread
next_slot = nil     -- when the next request of this thread is due (now_ms() clock)
late = 0            -- slots sent more than 1 ms after they were due
max_late_ms = 0
statuses = {}       -- status code -> count

function init(args)
  opts = parse_args(args)
  local rate = tonumber(opts.rate)
  if not rate or rate <= 0 then
    error("pacer.lua: give the rate as a script argument: -- rate=2000 threads=1")
  end
  local nthreads = tonumber(opts.threads or "1")
  interval_ms = 1000.0 * nthreads / rate
  if init_script then init_script(opts) end
end

-- wrk asks before every request on every connection of this thread; it waits the returned number of
-- whole milliseconds. Slots advance by exactly interval_ms, so rounding only moves single requests
-- by < 0.5 ms and the rate over the run is exact.
function delay()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  local slot = next_slot
  next_slot = next_slot + interval_ms
  local wait = slot - now
  if wait < -1 then
    late = late + 1
    if -wait > max_late_ms then max_late_ms = -wait end
  end
  if wait <= 0 then return 0 end
  return math.floor(wait + 0.5)
end

function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function response(status, headers, body)
  count_status(status)
  if on_response then on_response(status, headers, body) end
end

-------------------------------------------------------------------------------- report

local function ms(us) return string.format("%.2f", us / 1000.0) end

function done(summary, latency, requests)
  local total_late, worst_late = 0, 0
  local codes = {}
  local first_opts = nil
  for _, t in ipairs(threads) do
    total_late = total_late + (t:get("late") or 0)
    local wl = t:get("max_late_ms") or 0
    if wl > worst_late then worst_late = wl end
    local st = t:get("statuses") or {}
    for code, n in pairs(st) do codes[code] = (codes[code] or 0) + n end
    first_opts = first_opts or t:get("opts")
  end
  first_opts = first_opts or {}
  local non2xx = 0
  local keys = {}
  for code, n in pairs(codes) do
    keys[#keys + 1] = code
    if code < 200 or code > 299 then non2xx = non2xx + n end
  end
  table.sort(keys)
  local parts = {}
  for _, code in ipairs(keys) do parts[#parts + 1] = code .. ":" .. codes[code] end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  local secs = summary.duration / 1e6
  local achieved = summary.requests / secs
  io.write(string.format(
    "RESULT name=%s target_rps=%s achieved_rps=%.1f requests=%d duration_s=%.2f "
      .. "p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s errors=%d "
      .. "errors_detail=connect:%d,read:%d,write:%d,timeout:%d non2xx=%d late=%d max_late_ms=%.1f statuses=%s\n",
    first_opts.name or "wrk", first_opts.rate or "?", achieved, summary.requests, secs,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    errors, e.connect, e.read, e.write, e.timeout, non2xx, total_late, worst_late,
    #parts > 0 and table.concat(parts, ",") or "none"))
end
