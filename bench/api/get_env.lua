-- GET /api/v1/environments/{id} at a fixed rate, round-robin over the ids given as script arguments.
--   wrk -t1 -c16 -d30s -s bench/api/get_env.lua http://127.0.0.1:PORT \
--       -- rate=2000 threads=1 name=get_env ids=ID1,ID2,...
-- Pacing and the RESULT line: see pacer.lua (same directory).
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "pacer.lua")

local requests_by_id = {}
local next_index = 0

function init_script(o)
  for id in string.gmatch(o.ids or "", "[^,]+") do
    requests_by_id[#requests_by_id + 1] = wrk.format("GET", "/api/v1/environments/" .. id)
  end
  if #requests_by_id == 0 then error("get_env.lua: no environment ids (-- ids=ID1,ID2)") end
  -- Threads start at different ids so they do not read the same entity in lock step.
  next_index = (thread_no or 0) % #requests_by_id
end

function request()
  next_index = next_index % #requests_by_id + 1
  return requests_by_id[next_index]
end
