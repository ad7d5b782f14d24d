-- PUT a vote to the URL wrk was given (/api/v1/consultations/<pk>/vote/), each
-- request as a different signed-in person who has not voted yet: rows are
-- "session_key csrf_token provision_eid". The answer names the person
-- (X-Bench-User, added under tests.bench.settings), so the benchmark knows
-- exactly whose first vote was accepted.

dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local people
local n = 0
local choices = {"agree", "agree", "disagree", "abstain"}

function init(args)
  people = read_rows()
end

function request()
  n = n + 1
  sent = sent + 1
  if n > #people then
    -- Out of fresh people: vote again as the last one (an update, not a first
    -- vote); the benchmark fails the run rather than report it.
    exhausted = 1
  end
  local person = people[math.min(n, #people)]
  local body = string.format('{"provision": "%s", "choice": "%s"}', person[3], choices[n % 4 + 1])
  return wrk.format("PUT", nil, {
    ["Content-Type"] = "application/json",
    ["Cookie"] = "sessionid=" .. person[1] .. "; csrftoken=" .. person[2],
    ["X-CSRFToken"] = person[2],
    ["X-Forwarded-For"] = forwarded_for(n),
  }, body)
end
