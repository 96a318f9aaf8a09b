-- POST a public form with a real CSRF token and a new phone number every time.
-- Set by bench/run.py: CSRF cookie and token, the form body with {PHONE} in it.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  csrf_cookie = os.getenv("BENCH_CSRF_COOKIE")
  template = os.getenv("BENCH_FORM")
  path = os.getenv("BENCH_PATH")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrftoken=" .. csrf_cookie
  wrk.headers["Referer"] = "http://127.0.0.1/"
end

function request()
  counter = counter + 1
  -- (312) 2XX-XXXX: a valid US number, different for every request of every thread.
  local n = id * 1000000 + counter
  local phone = string.format("312%d%02d%04d", 2 + math.floor(n / 1000000) % 7, math.floor(n / 10000) % 100, n % 10000)
  local body = string.gsub(template, "{PHONE}", phone)
  return wrk.format("POST", path, nil, body)
end
