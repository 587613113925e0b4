// Waiting pages ("check your inbox", 2FA progress): poll the attempt's state instead of reloading the page.
"use strict";

(() => {
  const main = document.querySelector("main[data-poll][data-next]");
  if (!main) return;

  const sameOrigin = (value) => {
    try {
      const url = new URL(value, location.href);
      return url.origin === location.origin ? url.href : null;
    } catch {
      return null;
    }
  };
  const pollURL = sameOrigin(main.dataset.poll);
  const nextURL = sameOrigin(main.dataset.next);
  if (!pollURL || !nextURL) return; // keep the no-JS behaviour (meta refresh)

  // With JS the poll below replaces the page's self-reload. Removing the
  // <meta http-equiv="refresh"> element does not cancel a refresh that was
  // already scheduled when the element was parsed (Chromium, for one, still
  // reloads). window.stop() after the load event does cancel it in the
  // engines we know of; where neither works the refresh is harmless: it
  // reloads the same waiting page, which runs this script again.
  let hadRefresh = false;
  for (const meta of document.querySelectorAll("meta[http-equiv]")) {
    if (meta.httpEquiv.toLowerCase() === "refresh") {
      meta.remove();
      hadRefresh = true;
    }
  }
  if (hadRefresh) {
    const cancelRefresh = () => { try { window.stop(); } catch { /* ignore */ } };
    if (document.readyState === "complete") cancelRefresh();
    else window.addEventListener("load", cancelRefresh, { once: true });
  }

  const INTERVAL = 1500;    // ms between polls
  const MAX_DELAY = 30000;  // back-off ceiling after errors
  const TIMEOUT = 10000;    // give up on one request after this

  let timer = 0;
  let busy = false;
  let stopped = false;
  let failures = 0;
  let lastMissing = null;

  const delay = () => {
    if (failures === 0) return INTERVAL;
    const backoff = Math.min(INTERVAL * 2 ** failures, MAX_DELAY);
    return backoff * (0.75 + Math.random() * 0.5); // jitter
  };

  const schedule = (ms) => {
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  };

  const finish = () => {
    stopped = true;
    clearTimeout(timer);
    location.replace(nextURL);
  };

  // Mark the <li data-step="email|sms"> of every step no longer missing as done.
  // An item may carry data-done-text: its text is then replaced when done.
  const updateSteps = (missing) => {
    const key = missing.filter((m) => typeof m === "string").sort().join(",");
    if (key === lastMissing) return;
    lastMissing = key;
    for (const item of document.querySelectorAll("ul.steps li[data-step]")) {
      if (missing.includes(item.dataset.step)) continue;
      if (!item.classList.contains("done")) {
        item.classList.add("done");
        item.classList.remove("pending");
        if (item.dataset.doneText) item.textContent = item.dataset.doneText;
      }
    }
  };

  async function tick() {
    timer = 0;
    if (stopped || busy) return;
    if (document.hidden) return; // resumed by visibilitychange
    busy = true;
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), TIMEOUT);
    try {
      const response = await fetch(pollURL, {
        method: "GET",
        credentials: "same-origin", // the attempt cookie is sent (same-origin only)
        cache: "no-store",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      if (!data || typeof data.state !== "string") throw new Error("unexpected answer");
      failures = 0;
      if (data.state !== "pending") {
        finish();
        return;
      }
      if (Array.isArray(data.missing)) updateSteps(data.missing);
    } catch {
      failures += 1; // network error, timeout, bad JSON: try again later
    } finally {
      clearTimeout(abort);
      busy = false;
    }
    if (!stopped) schedule(delay());
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !stopped && !busy) schedule(0);
  });

  schedule(INTERVAL);
})();
