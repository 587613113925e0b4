-- wrk script of scripts/bench: Next on the login page with a new address for every request.
-- By default the address of a member (m1@bench.example … m<BENCH_MEMBERS>@bench.example, made by
-- scripts/bench), taken in turn from BENCH_OFFSET: Next stores the attempt and queues its mail, as
-- DESIGN §6 measures it. With BENCH_STRANGERS=1 the address of no member (bench-RUN-N@example.com):
-- an attempt that never gets a message.
-- The pre-session cookie and its CSRF token were fetched once by curl before the run and come in
-- BENCH_COOKIE and BENCH_CSRF; BENCH_RUN keeps the strangers' addresses of different runs apart.
-- Success is `303 See Other` to the waiting page (wrk counts any 4xx/5xx as "Non-2xx or 3xx").
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local run = os.getenv("BENCH_RUN") or "run"
local strangers = os.getenv("BENCH_STRANGERS") == "1"
local members = tonumber(os.getenv("BENCH_MEMBERS") or "") or 0
local offset = tonumber(os.getenv("BENCH_OFFSET") or "") or 0
local counter = 0

if not strangers and members < 1 then
    error("next.lua: BENCH_MEMBERS is not set (or BENCH_STRANGERS=1 for addresses of no member)")
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = cookie
wrk.headers["Sec-Fetch-Site"] = "same-origin"

request = function()
    counter = counter + 1
    local address
    if strangers then
        address = "bench-" .. run .. "-" .. counter .. "%40example.com"
    else
        address = "m" .. ((offset + counter) % members + 1) .. "%40bench.example"
    end
    return wrk.format(nil, "/_konfident/login", nil, "csrf=" .. csrf .. "&email=" .. address)
end
