-- Shared by pages.lua and votes.lua (loaded with dofile in every Lua state wrk
-- makes): numbers the threads, reads each thread's rows, counts answers by
-- status, and writes the summary the benchmark reads (tests/bench/serve.py).

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- Per thread (each has a Lua state of its own).
statuses = {}
accepted = {}
sent = 0
exhausted = 0

-- This thread's rows: one list of space-separated fields per line.
function read_rows()
  local rows = {}
  local prefix = os.getenv("BENCH_ROWS") or ""
  if prefix == "" then
    return rows
  end
  for line in io.lines(prefix .. "." .. tid) do
    local fields = {}
    for value in line:gmatch("%S+") do
      table.insert(fields, value)
    end
    table.insert(rows, fields)
  end
  return rows
end

-- A different client address on every request, as a proxy would forward them.
function forwarded_for(n)
  return string.format("10.%d.%d.%d", tid % 256, math.floor(n / 256) % 256, n % 256)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local voter = headers["X-Bench-User"] or headers["x-bench-user"]
  if status == 200 and voter then
    table.insert(accepted, voter)
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format("requests %d\n", summary.requests))
  out:write(string.format("duration_us %d\n", summary.duration))
  for _, name in ipairs({"connect", "read", "write", "status", "timeout"}) do
    out:write(string.format("error %s %d\n", name, summary.errors[name]))
  end
  for _, p in ipairs({50, 99}) do
    out:write(string.format("latency_us %d %d\n", p, latency:percentile(p)))
  end
  for _, thread in ipairs(threads) do
    out:write(string.format("sent %d\n", thread:get("sent")))
    out:write(string.format("exhausted %d\n", thread:get("exhausted")))
    for status, count in pairs(thread:get("statuses")) do
      out:write(string.format("status %d %d\n", status, count))
    end
    local voters = thread:get("accepted")
    for first = 1, #voters, 1000 do
      local last = math.min(first + 999, #voters)
      out:write("accepted " .. table.concat(voters, " ", first, last) .. "\n")
    end
  end
  out:close()
end
