-- GET of the URL given to wrk at a fixed rate (bench/api.sh uses it for /api/v1/nodes and, as a
-- control that measures only the HTTP stack and the machine, /api/v1/health).
--   wrk -t1 -c64 -d30s -s bench/api/get_url.lua http://127.0.0.1:PORT/api/v1/nodes \
--       -- rate=2000 threads=1 name=get_nodes
-- The request is wrk's own (the URL); pacing and the RESULT line: see pacer.lua.
local dir = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(dir .. "pacer.lua")
