-- wrk script: POST GraphQL operations, rotating over the requests given.
-- BENCH_REQUESTS: requests separated by lines holding only "--", each "PATH<TAB>AUTH<TAB>BODY",
--   AUTH being "" (anonymous), "*" (the next of BENCH_TOKENS, so that requests come from many
--   customers) or a bearer token to send as it is.
-- BENCH_TOKENS: comma-separated bearer tokens.
local requests = {}
for entry in string.gmatch((os.getenv("BENCH_REQUESTS") or "") .. "\n--\n", "(.-)\n%-%-\n") do
  local path, auth, body = string.match(entry, "^([^\t]+)\t([^\t]*)\t(.*)$")
  if path then
    table.insert(requests, { path = path, auth = auth, body = body })
  end
end
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
  table.insert(tokens, token)
end
local counter = 0

request = function()
  counter = counter + 1
  local chosen = requests[(counter % #requests) + 1]
  local headers = { ["Content-Type"] = "application/json" }
  local token = chosen.auth
  if token == "*" then
    token = tokens[(counter % #tokens) + 1]
  end
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  return wrk.format("POST", chosen.path, headers, chosen.body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
