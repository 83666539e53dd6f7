-- wrk script for load/sessions/bench.py: each connection posts a small cell to one path of the file named by
-- the PATHS environment variable (one path per line: a session's /run, or the stateless /run), round robin over
-- requests, so 32 connections over 32 sessions keep about one request per session in flight.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local next_connection = 0
request = function()
  next_connection = (next_connection % #paths) + 1
  local body = '{"code":"x = 1"}'
  if paths[next_connection] ~= "/run" then body = '{"code":"x += 1"}' end
  return wrk.format("POST", paths[next_connection], { ["Content-Type"] = "application/json" }, body)
end
