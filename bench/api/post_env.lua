-- POST /api/v1/environments at a fixed rate, each request a new environment with a unique name.
--   wrk -t1 -c16 -d30s -s bench/api/post_env.lua http://127.0.0.1:PORT \
--       -- rate=50 threads=1 name=post_env prefix=bench-m os=debian cpu=0.1 ram=64M
-- Names are <prefix>-<thread>-<n> (prefix: [A-Za-z0-9][A-Za-z0-9_.-]*, the whole name at most 63
-- characters). Small resources (cpu 0.1, ram 64M by default) let many environments fit on a node.
-- The ids of created environments (status 202) go to the file ids_file=PATH.<thread> when given, one
-- per line, so the caller can delete them. Pacing and the RESULT line: see pacer.lua.
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "pacer.lua")

local counter = 0
local prefix, os_name, cpu, ram
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"] }
local ids_out = nil

function init_script(o)
  prefix = o.prefix or "bench"
  os_name = o.os or "debian"
  cpu = o.cpu or "0.1"
  ram = o.ram or "64M"
  if not string.match(prefix, "^[A-Za-z0-9][A-Za-z0-9_.-]*$") then
    error("post_env.lua: prefix must match [A-Za-z0-9][A-Za-z0-9_.-]*")
  end
  if o.ids_file and o.ids_file ~= "" then
    ids_out = assert(io.open(o.ids_file .. "." .. tostring(thread_no or 0), "a"))
  end
end

function request()
  counter = counter + 1
  local name = string.format("%s-%d-%d", prefix, thread_no or 0, counter)
  local body = string.format(
    '{"env-name":"%s","os":"%s","resources":{"cpu":"%s","ram":"%s","gpu":"0"}}',
    name, os_name, cpu, ram)
  return wrk.format("POST", "/api/v1/environments", headers, body)
end

function on_response(status, hdrs, body)
  if ids_out and status == 202 then
    local id = string.match(body or "", '"id"%s*:%s*"([^"]+)"')
    if id then
      ids_out:write(id, "\n")
      ids_out:flush()
    end
  end
end
