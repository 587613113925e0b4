-- wrk script of scripts/bench: Next on the login page with a new address for every request.
-- The pre-session cookie and its CSRF token were fetched once by curl before the run and come in
-- BENCH_COOKIE and BENCH_CSRF; BENCH_RUN keeps the addresses of the warm-up and the run apart.
-- Success is `303 See Other` to the waiting page (wrk counts any 4xx/5xx as "Non-2xx or 3xx").
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local run = os.getenv("BENCH_RUN") or "run"
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = cookie
wrk.headers["Sec-Fetch-Site"] = "same-origin"

request = function()
    counter = counter + 1
    local body = "csrf=" .. csrf .. "&email=bench-" .. run .. "-" .. counter .. "%40example.com"
    return wrk.format(nil, "/_konfident/login", nil, body)
end
