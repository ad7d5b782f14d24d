-- GET the URL wrk was given. With rows ("session_key csrf_token" each), every
-- request is signed in as the next person in this thread's list, in turn;
-- without, every request is a first visit (no cookies).

dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local people
local n = 0

function init(args)
  people = read_rows()
end

function request()
  n = n + 1
  sent = sent + 1
  local headers = {["X-Forwarded-For"] = forwarded_for(n)}
  if #people > 0 then
    local person = people[(n - 1) % #people + 1]
    headers["Cookie"] = "sessionid=" .. person[1] .. "; csrftoken=" .. person[2]
  end
  return wrk.format("GET", nil, headers)
end
