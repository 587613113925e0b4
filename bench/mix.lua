-- wrk script of scripts/bench's memory check: cycles through the pages of the other rows
-- (login page, Next with a new address, waiting page, its poll, link page), so that a leak on any of these
-- paths shows in the resident memory of `serve`. Cookies, CSRF token and link token come from
-- the environment, fetched once by curl like the other rows.
local host = os.getenv("BENCH_HOST")
local cookie = os.getenv("BENCH_COOKIE")
local attempt = os.getenv("BENCH_ATTEMPT")
local csrf = os.getenv("BENCH_CSRF")
local token = os.getenv("BENCH_TOKEN")
local run = os.getenv("BENCH_RUN") or "mix"
local counter = 0

local login, wait, poll, verify

init = function(args)
    login = wrk.format("GET", "/", { Host = host })
    wait = wrk.format("GET", "/_konfident/wait", { Host = host, Cookie = cookie .. "; " .. attempt })
    poll = wrk.format("GET", "/_konfident/wait/status", { Host = host, Cookie = cookie .. "; " .. attempt })
    verify = wrk.format("GET", "/_konfident/verify/" .. token, { Host = host, Cookie = cookie })
end

request = function()
    counter = counter + 1
    local turn = counter % 5
    if turn == 0 then return login end
    if turn == 1 then
        local body = "csrf=" .. csrf .. "&email=bench-" .. run .. "-" .. counter .. "%40example.com"
        return wrk.format("POST", "/_konfident/login", {
            Host = host, Cookie = cookie, ["Sec-Fetch-Site"] = "same-origin",
            ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
    end
    if turn == 2 then return wait end
    if turn == 3 then return poll end
    return verify
end
