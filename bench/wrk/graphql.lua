-- wrk script: POST one GraphQL operation, rotating bearer tokens over the customers given.
-- Environment: BENCH_BODY (the JSON request body), BENCH_PATH, BENCH_TOKENS (comma-separated).
local body = os.getenv("BENCH_BODY")
local path = os.getenv("BENCH_PATH") or "/mobile/graphql"
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
  table.insert(tokens, token)
end
local counter = 0

request = function()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json" }
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]
  end
  return wrk.format("POST", path, headers, body)
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status))
end
