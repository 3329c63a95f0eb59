// The boot page. It registers the service worker, starts the Python worker,
// shows the boot stages, relays the service worker's requests to Python (and
// sends Dash's callbacks to Python itself, see `callbacksStraightTo`), and
// finally becomes the Dash page *without navigating*: navigating would end
// this document, and with it the worker that runs Python.

import * as protocol from "./protocol.js";
import { buildCacheName, cacheStore, snapshotBase, snapshotKey } from "./snapshot.js";

/**
 * The app's root. This page is the app's index.html, or, for a deep link, a
 * copy the service worker serves with <base href="<root>">.
 */
const root = new URL("./", document.baseURI).href;
let failed = false;
/** Requests this page relayed to Python because the service worker had no channel to it (diagnostics). */
let relayed = 0;
Object.defineProperty(window, "webdashRelayed", { get: () => relayed });
/** Whether this page showed the app's Dash page before Python was ready (diagnostics). */
let shownAhead = false;
Object.defineProperty(window, "webdashShownAhead", { get: () => shownAhead });
/** Set while this page reloads itself to come under the service worker's control. */
const RELOADED = "webdash-reloaded-for-control";
/** This boot page's own markup, to show a failure on once a Dash page has taken its place. */
const bootPage = "<!doctype html>" + document.documentElement.outerHTML;

main().catch(fail);

async function main() {
  if (!window.isSecureContext || !("serviceWorker" in navigator)) {
    throw Object.assign(new Error(
      "This app runs Python inside your browser, which needs a service worker, and browsers allow " +
        "those only on https:// addresses or on http://localhost. Open it over https, or on this " +
        `machine with \`webdash serve\`. (This page's address is ${location.origin}.)`,
    ), { title: "This address cannot run the app" });
  }
  show("service-worker", "Starting the service worker", 0, 0);
  // A repeat visit is under this app's service worker from the start: Python starts at once, while
  // the browser looks for a newer deployment. If one takes over, Python starts again, with it.
  const startedUnder = navigator.serviceWorker.controller;
  let python = startedUnder ? startPython() : undefined;
  const stop = () => {
    python?.worker.terminate();
    python = undefined;
  };
  const registration = await navigator.serviceWorker.register(root + "service_worker.js", { scope: root });
  // Stopped as soon as a newer deployment turns up: while it runs on the old build, Chrome was seen
  // to keep the new service worker waiting instead of letting it take over.
  await upToDate(registration, stop);
  await controlled(registration);
  if (navigator.serviceWorker.controller !== startedUnder) stop();
  const { worker, ready, resuming } = python ?? startPython();
  callbacksStraightTo(worker);

  // The service worker sends this page's requests straight to the worker, on a channel between them.
  // A service worker that lost its end (the browser restarts idle service workers) sends them here
  // instead, each with a port to answer on; the port (and the body) move on to the worker
  // untouched, and the service worker gets a new channel.
  let connected = -Infinity;
  const connect = () => {
    connected = performance.now();
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ type: protocol.SW_PORT }, [port1]);
    navigator.serviceWorker.controller?.postMessage({ type: protocol.SW_PORT }, [port2]);
  };
  navigator.serviceWorker.addEventListener("message", ({ data, ports }) => {
    if (data?.type === protocol.SW_KEEP) keep(data.url, data.cache);
    if (data?.type !== protocol.HTTP_REQUEST) return;
    worker.postMessage(data, data.request.body ? [...ports, data.request.body] : [...ports]);
    relayed += 1;
    if (performance.now() - connected > 1000) connect();
  });
  navigator.serviceWorker.startMessages();
  connect();

  // A repeat visit that resumes Python from its snapshot shows the Dash page Python gave for this
  // URL last time as soon as the snapshot turns out to fit, so that the browser runs Dash's scripts
  // while Python's memory is restored. (Shown as the restore starts, ~300 ms sooner, the app's
  // output came no sooner: five paired runs of 10-20 repeat visits of apps/sales and apps/hello
  // ranged from 72 ms sooner to 139 ms later. Both cores are busy either way.) Python is still
  // asked for the page, ahead of the page's own requests, and must give the same one.
  const pages = await pageCache();
  let earlier = await pages.earlier();
  if (earlier !== undefined) {
    const fits = await Promise.race([resuming.then(() => true), ready.then(() => false, () => false)]);
    if (fits && !failed) {
      write(earlier);
      shownAhead = true;
    } else {
      earlier = undefined;
    }
  }
  // The Dash page for this URL, from Python, through the service worker; asked for at once when a
  // page is shown ahead, so that it goes to Python before that page's own requests.
  const askPython = () => fetch(location.href, { headers: { Accept: "text/html" } });
  const page = earlier !== undefined ? askPython() : undefined;
  let resumed;
  try {
    resumed = await ready;
  } catch (error) {
    if (earlier !== undefined) write(bootPage); // the error goes where the boot stages were
    throw error;
  }
  const response = await (page ?? askPython());
  if (!(response.headers.get("Content-Type") ?? "").startsWith("text/html")) {
    // Not a page (a file route opened directly): hand it to the browser as it is.
    location.replace(URL.createObjectURL(await response.blob()));
    return;
  }
  const html = await response.text();
  if (failed) return;
  await pages.remember(html, earlier);
  if (earlier === undefined) {
    write(html);
  } else if (!resumed || !samePage(html, earlier)) {
    // The page shown does not fit this Python (which started afresh, with a new signing secret),
    // or it changes from one request to the next (then it is never shown ahead of Python again).
    location.reload();
  }
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Redirects fetch follows; those after which it asks again with the same method and body. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const SAME_METHOD = new Set([307, 308]);
/** Callbacks this page sent straight to its Python worker (diagnostics). */
let callbacksSent = 0;
Object.defineProperty(window, "webdashCallbacks", { get: () => callbacksSent });

/**
 * Dash's callbacks (the renderer's POSTs to `_dash-update-component`) go from this page straight to
 * its Python worker, on a channel of their own, instead of through the service worker: a request
 * through the service worker costs ~2 ms more (apps/hello's callback: 6.2 ms through it, 3.9 ms
 * straight, in headless Chromium on two cores), about what a callback here took longer than on
 * Flask. Every other request (the app's own routes, scripts, assets) still goes to the service
 * worker, with the browser's full fetch semantics. The answer is the Response Flask gave, as the
 * service worker would have made it.
 * @param {Worker} worker
 */
function callbacksStraightTo(worker) {
  const callbackURL = root + "_dash-update-component";
  const viaServiceWorker = window.fetch;
  /** @type {typeof window.fetch} */
  async function fetch(input, init) {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const url = input instanceof Request ? input.url : new URL(String(input), document.baseURI).href;
    if (method !== "POST") return viaServiceWorker(input, init);
    const { origin, pathname } = new URL(url); // Dash 3 adds the page's token as a query (`?endId=`)
    if (origin + pathname !== callbackURL) return viaServiceWorker(input, init);
    const request = new Request(input, init);
    request.signal.throwIfAborted();
    const body = await request.arrayBuffer();
    const { port1, port2 } = new MessageChannel();
    const answer = new Promise((resolve, reject) => {
      port1.onmessage = ({ data }) => resolve(data);
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
    // The body is copied, not transferred: a 307 or 308 redirect sends it again.
    const message = { method, url, headers: [...request.headers], body };
    worker.postMessage({ type: protocol.HTTP_REQUEST, request: message }, [port2]);
    callbacksSent += 1;
    const data = await answer.finally(() => port1.close());
    if (data.type !== protocol.HTTP_RESPONSE) {
      const text = `webdash could not answer ${url}: ${data.error?.message}`;
      return new Response(text, { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    const { status, statusText, headers } = data.response;
    const location = new Headers(headers).get("Location");
    if (REDIRECTS.has(status) && location && request.redirect === "error") {
      throw new TypeError(`Failed to fetch: ${url} redirected, and the request's redirect mode is "error"`);
    }
    if (REDIRECTS.has(status) && location && request.redirect === "follow") {
      const next = new URL(location, url).href;
      const again = SAME_METHOD.has(status) ? { method, headers: request.headers, body } : { method: "GET" };
      const followed = await window.fetch(next, { ...again, signal: request.signal, credentials: request.credentials });
      return Object.defineProperty(followed, "redirected", { value: true });
    }
    const response = new Response(NULL_BODY.has(status) ? null : data.response.body, { status, statusText, headers });
    return Object.defineProperty(response, "url", { value: url });
  }
  window.fetch = fetch;
}

/** The URLs this page has put back into the service worker's cache (see `keep`). */
const kept = new Set();
/** Scripts kept since they last ran for their compiled code (see `compileAhead`). */
const toCompile = new Set();
/**
 * Settles once the scripts kept so far have run for their compiled code, with how many ran
 * (diagnostics, and for the tests and the benchmark to wait on); undefined until one is kept.
 * @type {Promise<number> | undefined}
 */
let compiledAhead;
let compiled = (/** @type {number} */ _count) => {};
Object.defineProperty(window, "webdashCompiledAhead", { get: () => compiledAhead });

/**
 * Fetch `url`, which the service worker answers from `cacheName` with what Python served, and put
 * the answer back there: cached from here, it carries its URL, so that Chrome keeps the compiled
 * code of the script (see `keepWithURL` in service_worker.js). Failing costs only that.
 * @param {string} url @param {string} cacheName
 */
async function keep(url, cacheName) {
  if (kept.has(url)) return;
  kept.add(url);
  try {
    const response = await fetch(url);
    if (!response.ok || response.url !== url) return;
    await (await caches.open(cacheName)).put(url, response);
    const { pathname } = new URL(url);
    if (pathname.includes("/_dash-component-suites/") && pathname.endsWith(".js")) {
      toCompile.add(url);
      compileAheadLater();
    }
  } catch (error) {
    console.info(`webdash: ${url} was not kept for its compiled code:`, error);
  }
}

/** How long this page must be left alone (no script kept, no input) before `compileAhead` runs. */
const COMPILE_AHEAD_AFTER_MS = 3000;
/** The wait before `compileAhead`, while one is due; then the idle moment it waits for. */
let compileTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
let compileIdle = 0;
let waitsForInput = false;

/** (Re)start the wait before `compileAhead`; any input from the user starts it again. */
function compileAheadLater() {
  if (compileTimer === undefined) compiledAhead = new Promise((resolve) => (compiled = resolve));
  clearTimeout(compileTimer);
  cancelIdleCallback(compileIdle);
  compileTimer = setTimeout(() => {
    compileIdle = requestIdleCallback(() => {
      compileTimer = undefined;
      compileAhead()
        .catch((error) => (console.info("webdash: the kept scripts did not run for their compiled code:", error), 0))
        .then(compiled);
    });
  }, COMPILE_AHEAD_AFTER_MS);
  if (waitsForInput) return;
  waitsForInput = true; // listeners on this Dash page (writing it dropped the boot page's)
  for (const type of ["pointermove", "pointerdown", "keydown", "wheel"]) {
    addEventListener(type, () => toCompile.size && compileAheadLater(), { capture: true, passive: true });
  }
}

/**
 * Run the component-suite scripts this page kept once more, in a hidden frame, so that Chrome
 * stores their compiled code now. It does so the first time a kept script runs from the cache,
 * which would otherwise be on the next visit: compiling plotly.js (4.8 MB) and Dash's scripts then
 * took ~0.7 s of a ~1.75 s first repeat visit. Here it takes about as long of this page's main thread,
 * once the page has been left alone for a while; the frame's scripts change nothing outside it.
 * @returns {Promise<number>}  how many scripts ran
 */
async function compileAhead() {
  // In the order this page ran them (Dash's scripts need React first), then those loaded on demand.
  const order = [...document.scripts].map((script) => script.src);
  const rank = (/** @type {string} */ url) => (order.includes(url) ? order.indexOf(url) : order.length);
  const urls = [...toCompile].sort((a, b) => rank(a) - rank(b));
  toCompile.clear();
  if (!urls.length) return 0;
  const frame = document.createElement("iframe");
  frame.hidden = true;
  // A same-origin frame: its requests go to this page's service worker, which answers from the cache.
  frame.srcdoc = urls.map((url) => `<script src="${url.replaceAll('"', "&quot;")}"></script>`).join("");
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  await Promise.race([loaded, sleep(60_000)]);
  frame.remove();
  return urls.length;
}

/** Replace this document with `html`, without navigating (see the top of this file). @param {string} html */
function write(html) {
  document.open();
  document.write(html);
  document.close();
}

/**
 * Dash signs a token into each page it gives (`end_id` in `_dash-config`), which binds background
 * callbacks to the page load. A page shown ahead of Python keeps the token of the page Python gave
 * on the previous visit: unused, and signed with the same secret (it lives in the snapshot).
 */
const PAGE_TOKEN = /"end_id":"[^"]*"/;

/** Whether two of Dash's pages are the same apart from their tokens. @param {string} a @param {string} b */
function samePage(a, b) {
  return a.replace(PAGE_TOKEN, "") === b.replace(PAGE_TOKEN, "");
}

/**
 * The Dash page Python gave for this URL on the previous visit, kept in this build's cache (the
 * service worker removes it with the build). It is shown ahead of Python only when Python will
 * resume from its snapshot, and never once it has changed from one visit to the next.
 */
async function pageCache() {
  const { buildId } = await (await fetch(root + "_webdash/manifest.json")).json();
  const name = buildCacheName(root, buildId);
  const cache = await caches.open(name);
  const key = `${root}_webdash/pages/${encodeURIComponent(location.href)}`;
  const [entry, resumes] = await Promise.all([
    cache.match(key),
    cacheStore(name, snapshotBase(root)).has(snapshotKey(buildId)),
  ]);
  const unstable = entry?.headers.has("X-Webdash-Unstable") ?? false;
  return {
    /** @returns {Promise<string | undefined>} */
    earlier: async () => (entry && resumes && !unstable ? entry.text() : undefined),
    /** @param {string} html @param {string | undefined} shown  the page shown ahead of Python, if any */
    remember: async (html, shown) => {
      if (unstable || !html.includes('id="_dash-config"')) return;
      const changed = shown !== undefined && !samePage(html, shown);
      const headers = changed ? { "X-Webdash-Unstable": "1" } : { "Content-Type": "text/html; charset=utf-8" };
      await cache.put(key, new Response(changed ? "" : html, { headers }));
    },
  };
}

/**
 * The Python worker, booting. Started from a blob: URL, it is controlled by this page's service
 * worker, so its downloads come from the service worker's cache (a worker started from its own URL
 * would be matched against that URL's scope, and a gallery's shared folder lies outside every app's
 * scope).
 */
function startPython() {
  const script = new URL("worker.js", import.meta.url).href;
  const source = new Blob([`import ${JSON.stringify(script)};`], { type: "text/javascript" });
  const worker = new Worker(URL.createObjectURL(source), { type: "module" });
  let resumingNow = () => {};
  /** Settles when a saved snapshot turns out to fit Python (see main). */
  const resuming = new Promise((resolve) => (resumingNow = () => resolve(undefined)));
  /** @type {Promise<boolean>} whether Python was resumed from a snapshot */
  const ready = new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === protocol.BOOT_PROGRESS) show(data.stage, data.label, data.loaded, data.total);
      else if (data.type === protocol.BOOT_RESUMING) resumingNow();
      else if (data.type === protocol.BOOT_READY) resolve(Boolean(data.resumed));
      else if (data.type === protocol.BOOT_ERROR) reject(Object.assign(new Error(data.error.message), data.error));
    };
    worker.onerror = (event) => reject(new Error(`The Python worker failed to start: ${event.message}`));
  });
  ready.catch(() => {}); // reported where it is awaited; a worker started again is not awaited
  worker.postMessage({ type: protocol.BOOT_START, root });
  return { worker, ready, resuming };
}

/**
 * On a repeat visit, look for a newer deployment first (briefly: offline, the
 * cached build runs) and let it take over, so that this page runs one build
 * from start to end.
 * @param {ServiceWorkerRegistration} registration
 * @param {() => void} found  called when there is a newer deployment, before it takes over
 */
async function upToDate(registration, found) {
  if (navigator.serviceWorker.controller) {
    await Promise.race([registration.update().catch(() => {}), sleep(3000)]);
  }
  const incoming = registration.installing ?? registration.waiting;
  if (!incoming) return;
  found();
  await new Promise((resolve) => {
    const settled = () => ["activated", "redundant"].includes(incoming.state) && resolve(undefined);
    incoming.addEventListener("statechange", settled);
    settled();
  });
}

/**
 * Resolve once the newest service worker controls this page (it claims pages
 * as it activates). A page loaded with Shift+Reload bypasses service workers:
 * it asks the worker to claim it, and if that does not happen, reloads once,
 * normally.
 * @param {ServiceWorkerRegistration} registration
 */
async function controlled(registration) {
  await navigator.serviceWorker.ready;
  const done = () => navigator.serviceWorker.controller && navigator.serviceWorker.controller === registration.active;
  if (!done()) {
    const changed = new Promise((resolve) =>
      navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }),
    );
    registration.active?.postMessage({ type: protocol.SW_CLAIM });
    await Promise.race([changed, sleep(3000)]);
  }
  if (done()) {
    sessionStorage.removeItem(RELOADED);
    return;
  }
  if (!sessionStorage.getItem(RELOADED)) {
    sessionStorage.setItem(RELOADED, "1");
    location.reload();
    await new Promise(() => {}); // the reload ends this page
  }
  throw new Error(
    "The service worker did not take control of this page. Reload it normally (not with Shift+Reload).",
  );
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {string} stage @param {string} label @param {number} loaded @param {number} total */
function show(stage, label, loaded, total) {
  if (failed) return;
  const index = protocol.BOOT_STAGES.indexOf(stage);
  const bar = /** @type {HTMLProgressElement | null} */ (document.getElementById("webdash-progress"));
  if (!bar) return; // the Dash page is already shown
  bar.max = protocol.BOOT_STAGES.length - 1;
  // Within a stage, the bytes downloaded so far move the bar on.
  bar.value = index + (total ? Math.min(loaded / total, 1) * 0.999 : 0);
  document.getElementById("webdash-stage").textContent = label;
  const mb = (n) => (n / 1e6).toFixed(1);
  document.getElementById("webdash-bytes").textContent = total ? `${mb(loaded)} of ${mb(total)} MB` : "";
  for (const li of document.querySelectorAll("#webdash-stages li")) {
    const at = protocol.BOOT_STAGES.indexOf(/** @type {HTMLElement} */ (li).dataset.stage ?? "");
    li.className = at < index ? "done" : at === index ? "current" : "";
  }
}

/** Show the first failure, with what to do; later failures only follow from it. */
function fail(error) {
  if (failed) return;
  failed = true;
  document.getElementById("webdash-boot")?.classList.add("failed");
  const title = document.getElementById("webdash-stage");
  if (title) title.textContent = error?.title ?? "The app could not start";
  const message = document.getElementById("webdash-error");
  if (message) message.textContent = error?.message ?? String(error);
  const details = document.getElementById("webdash-details");
  if (details && error?.stack && error.stack !== error.message) details.textContent = error.stack;
  console.warn("webdash: boot failed:", error);
}
