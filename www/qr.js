// BankID waiting page: refresh the animated QR code every second and the status text every two seconds.
"use strict";

(() => {
  const main = document.querySelector("main[data-qr][data-status][data-next]");
  if (!main) return;

  const sameOrigin = (value) => {
    try {
      const url = new URL(value, location.href);
      return url.origin === location.origin ? url.href : null;
    } catch {
      return null;
    }
  };
  const qrURL = sameOrigin(main.dataset.qr);
  const statusURL = sameOrigin(main.dataset.status);
  const nextURL = sameOrigin(main.dataset.next);
  if (!qrURL || !statusURL || !nextURL) return; // keep the no-JS behaviour

  // Stop a no-JS self-reload, if the page has one. Removing the element may
  // not cancel an already scheduled refresh in every browser; that is harmless
  // (it reloads the same page, which runs this script again).
  for (const meta of document.querySelectorAll("meta[http-equiv]")) {
    if (meta.httpEquiv.toLowerCase() === "refresh") meta.remove();
  }

  const qrBox = main.querySelector(".qr");
  const statusBox = main.querySelector(".bankid-status");
  const SVG_NS = "http://www.w3.org/2000/svg";
  const MAX_DELAY = 30000;
  let stopped = false;

  const finish = () => {
    if (stopped) return;
    stopped = true;
    location.replace(nextURL);
  };

  // Parse the SVG as XML (never as HTML) and drop anything active in it.
  const parseSVG = (text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const root = doc.documentElement;
    if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg") return null;
    if (doc.getElementsByTagName("parsererror").length > 0) return null;
    for (const el of root.querySelectorAll("script, foreignObject")) el.remove();
    for (const el of [root, ...root.querySelectorAll("*")]) {
      for (const attr of [...el.attributes]) {
        if (/^on/i.test(attr.name)) el.removeAttribute(attr.name);
      }
    }
    return document.importNode(root, true);
  };

  // One self-rescheduling poll per URL: no overlapping requests, back-off on
  // errors, paused while the page is hidden, never throws.
  const poll = (url, interval, accept, handle) => {
    let timer = 0;
    let busy = false;
    let failures = 0;

    const delay = () => failures === 0
      ? interval
      : Math.min(interval * 2 ** failures, MAX_DELAY) * (0.75 + Math.random() * 0.5);

    const schedule = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(tick, ms);
    };

    async function tick() {
      timer = 0;
      if (stopped || busy || document.hidden) return;
      busy = true;
      const controller = new AbortController();
      const abort = setTimeout(() => controller.abort(), Math.max(interval * 4, 5000));
      try {
        const response = await fetch(url, {
          method: "GET",
          credentials: "same-origin", // the order cookie is sent (same-origin only)
          cache: "no-store",
          headers: { Accept: accept },
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        await handle(response);
        failures = 0;
      } catch {
        failures += 1; // network error, timeout, bad answer: try again later
      } finally {
        clearTimeout(abort);
        busy = false;
      }
      if (!stopped) schedule(delay());
    }

    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && !stopped && !busy) schedule(0);
    });
    schedule(interval);
  };

  if (qrBox) {
    poll(qrURL, 1000, "image/svg+xml", async (response) => {
      const svg = parseSVG(await response.text());
      if (!svg) throw new Error("not an SVG");
      if (!stopped) qrBox.replaceChildren(svg);
    });
  }

  poll(statusURL, 2000, "application/json", async (response) => {
    const data = await response.json();
    if (!data || typeof data.state !== "string") throw new Error("unexpected answer");
    if (statusBox && typeof data.message === "string" && data.message !== "" &&
        statusBox.textContent !== data.message) {
      statusBox.textContent = data.message;
    }
    if (data.state !== "pending") finish();
  });
})();
