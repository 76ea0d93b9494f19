-- wrk script: POST 1 KB Standard-Webhooks-signed bodies, each with a unique webhook-id.
-- Signatures are precomputed (by bench/webhook-sign.py, Python's hmac) into SIGNED_FILE:
-- one "id signature" pair per line; thread t uses lines t, t+T, t+2T, ...
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local dir = os.getenv("BENCH_DIR")
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  path = os.getenv("BENCH_PATH")
  local f = assert(io.open(dir .. "/body.json", "rb"))
  body = f:read("*a")
  f:close()
  ts = assert(io.open(dir .. "/timestamp")):read("*l")
  ids, sigs = {}, {}
  local n = 0
  for line in io.lines(dir .. "/signed.txt") do
    if n % nthreads == tid then
      local id, sig = line:match("^(%S+) (%S+)$")
      table.insert(ids, id)
      table.insert(sigs, sig)
    end
    n = n + 1
  end
  i = 0
end

function request()
  i = i + 1
  local k = ((i - 1) % #ids) + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["webhook-id"] = ids[k],
    ["webhook-timestamp"] = ts,
    ["webhook-signature"] = "v1," .. sigs[k],
  }, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d sent_ids_max=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, non2xx, 0))
end
