// webdash's service worker: hands every request the app's page makes to
// Python (Flask's test client in a Web Worker that the page owns), and keeps
// the site's files in Cache Storage so that repeat visits fetch nothing and the
// app starts offline. It knows no Python.
//
// Lifecycle: the boot page registers it with the app's root as scope. Each
// build writes its id into this file, so a new deployment is a new service
// worker: it installs (caching the new loading page and manifest), activates at
// once, removes the previous build's cache and claims open pages. The browser
// may kill and restart it at any time, so what it keeps in memory can always be
// rebuilt from Cache Storage: every request finds its page again by clientId
// and gets a fresh MessageChannel.
//
// Caches:
//   APP_CACHE     this build's loading page and manifest, the component-suite scripts
//                 and linked assets Python has served once (they are the same for the
//                 whole build; the page puts each back with its URL, so that Chrome keeps
//                 a script's compiled code), and (written by the page and the Python
//                 worker) the Dash pages Python gave and the memory snapshot;
//   SHARED_CACHE  every file the manifest lists (Pyodide, wheels, the app archive…),
//                 keyed by URL *and* sha256: content-addressed, so the apps of a
//                 gallery share one copy and no build ever sees another's bytes.

/** Written by `webdash build`: this build's id, and the shared files' folder (relative to the root). */
const BUILD = { id: "unbuilt", shared: "_webdash/" };

/** The app's root URL: this file sits at the root of the app. */
const ROOT = new URL("./", self.location.href).href;
/** webdash's own files of this app (the app archive, lock, manifest). */
const SITE_FILES = ROOT + "_webdash/";
/** The files shared by the apps of a gallery (the same folder as SITE_FILES for a single app). */
const SHARED = new URL(BUILD.shared, ROOT).href;
const APP_CACHE = `webdash-app ${ROOT} ${BUILD.id}`;
const SHARED_CACHE = "webdash-shared";
const MANIFEST = SITE_FILES + "manifest.json";
/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

self.addEventListener("install", (event) => event.waitUntil(install()));
self.addEventListener("activate", (event) => event.waitUntil(activate()));
/**
 * Each page's channel to its Python worker, by the page's client id. Lost when the browser stops
 * this service worker; requests then go through the page, which sends a new channel.
 * @type {Map<string, MessagePort>}
 */
const workerPorts = new Map();

self.addEventListener("message", (event) => {
  // A page loaded with Shift+Reload starts uncontrolled; its loader asks for it.
  if (event.data?.type === "sw:claim") event.waitUntil(self.clients.claim());
  if (event.data?.type === "sw:port" && event.source && "id" in event.source) {
    workerPorts.set(event.source.id, event.ports[0]);
    event.waitUntil(forgetClosedPages());
  }
});

/** Drop the channels of pages that are gone. */
async function forgetClosedPages() {
  const open = new Set((await self.clients.matchAll()).map((client) => client.id));
  for (const id of workerPorts.keys()) if (!open.has(id)) workerPorts.delete(id);
}

/** Cache this build's loading page and manifest; a half-deployed site fails the install and keeps the old build. */
async function install() {
  const cache = await caches.open(APP_CACHE);
  const [page, manifest] = await Promise.all(
    [ROOT + "index.html", MANIFEST].map((url) => fetch(url, { cache: "no-cache" })),
  );
  if (!page.ok || !manifest.ok) throw new Error(`webdash: ${ROOT} is not fully deployed`);
  const { buildId, files } = await manifest.clone().json();
  if (buildId !== BUILD.id) throw new Error(`webdash: manifest ${buildId} does not belong to build ${BUILD.id}`);
  await Promise.all([cache.put(ROOT + "index.html", page), cache.put(MANIFEST, manifest)]);
  // The scripts: the boot scripts the loading page fetched before this worker controlled it, and
  // Pyodide's JavaScript. Chrome keeps the compiled code of scripts a service worker caches from
  // the network while it installs, so that repeat visits do not compile them again (~120 ms for
  // pyodide.asm.mjs here). The rest of the build's files are cached as the page's Python worker
  // downloads them through here.
  const boot = Object.entries(/** @type {Record<string, BuildFile>} */ (files))
    .map(([path, file]) => /** @type {const} */ ([new URL(path, ROOT).href, file]))
    .filter(([url]) => url.startsWith(SHARED + "bootstrap/") || (url.startsWith(SHARED + "pyodide/") && url.endsWith(".mjs")));
  const shared = await caches.open(SHARED_CACHE);
  await Promise.all(
    boot.map(async ([url, { sha256, size }]) => {
      if (await shared.match(key(url, sha256))) return;
      const response = await fetch(url, { cache: "no-cache" });
      if (response.ok) await store(shared, key(url, sha256), response, size);
    }),
  );
  await self.skipWaiting();
}

/** Drop this app's earlier builds, and shared files the deployed site no longer lists; then take over pages. */
async function activate() {
  for (const name of await caches.keys()) {
    if (name.startsWith(`webdash-app ${ROOT} `) && name !== APP_CACHE) await caches.delete(name);
  }
  try {
    // The shared folder's manifest lists every file of the deployed site (a gallery: of all its apps).
    const response = await fetch(SHARED + "manifest.json", { cache: "no-cache" });
    const siteRoot = new URL("../", SHARED).href;
    const keep = new Set(Object.entries((await response.json()).files).map(([path, f]) => key(new URL(path, siteRoot).href, f.sha256)));
    const shared = await caches.open(SHARED_CACHE);
    for (const request of await shared.keys()) {
      if (request.url.startsWith(siteRoot) && !keep.has(request.url)) await shared.delete(request);
    }
  } catch {
    // Offline: tidy up on a later activation.
  }
  await self.clients.claim();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = request.url;
  if (request.method !== "GET" && !isAppRequest(url)) return;
  if (isAppRequest(url)) {
    // A new document (first visit, reload, deep link) gets the loading page; it boots Python itself.
    const waitUntil = (/** @type {Promise<void>} */ promise) => event.waitUntil(promise);
    event.respondWith(request.mode === "navigate" ? loaderPage() : fromPython(request, event.clientId, waitUntil));
  } else if (url === MANIFEST) {
    event.respondWith(cachedOrNetwork(APP_CACHE, request));
  } else if (url.startsWith(SITE_FILES) || url.startsWith(SHARED)) {
    event.respondWith(buildFile(request, (promise) => event.waitUntil(promise)));
  }
  // Anything else goes to the network as usual.
});

/** @param {string} url */
function isAppRequest(url) {
  if (!url.startsWith(ROOT)) return false; // another origin, or a path outside this app
  if (url.startsWith(SITE_FILES)) return false; // webdash's own files
  if (url === ROOT + "service_worker.js") return false; // the browser checks it for updates
  return true;
}

/** The boot page, for any URL of the app; <base> makes its relative URLs resolve from the root. */
async function loaderPage() {
  const response = await cachedOrNetwork(APP_CACHE, new Request(ROOT + "index.html"));
  const html = (await response.text()).replace("<head>", `<head><base href="${ROOT}">`);
  return new Response(html, { status: response.status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** @param {string} cacheName @param {Request} request */
async function cachedOrNetwork(cacheName, request) {
  return (await (await caches.open(cacheName)).match(request)) ?? fetch(request);
}

/**
 * @typedef {{size: number, sha256: string, gzip?: string, type?: string}} BuildFile  a manifest entry:
 *   the file's size and hash, and for some of Pyodide's files a gzipped copy (relative to the root)
 *   and the content type
 */
/** @type {Promise<Map<string, BuildFile>> | undefined} */
let buildFiles;

/**
 * Every file this build's manifest lists (every file the app loads), by URL; undefined when the
 * manifest cannot be had (not deployed yet, or offline before the first visit).
 */
async function listedFiles() {
  buildFiles ??= cachedOrNetwork(APP_CACHE, new Request(MANIFEST))
    .then((response) => response.json())
    .then(({ files }) => new Map(Object.entries(files).map(([path, f]) => [new URL(path, ROOT).href, f])));
  try {
    return await buildFiles;
  } catch {
    buildFiles = undefined;
    return undefined;
  }
}

/**
 * A file of the build, from SHARED_CACHE when it is there, else from the
 * network (and then cached). Files the manifest does not list pass through.
 * @param {Request} request
 * @param {(promise: Promise<void>) => void} waitUntil  keeps this worker alive while the file is cached
 */
async function buildFile(request, waitUntil) {
  const file = (await listedFiles())?.get(request.url);
  if (!file) return fetch(request);
  const cache = await caches.open(SHARED_CACHE);
  const cacheKey = key(request.url, file.sha256);
  const cached = await cache.match(cacheKey);
  if (cached) return cached;
  const response = file.gzip ? await inflated(new URL(file.gzip, ROOT).href, file.type ?? "") : await fetch(request);
  if (!response.ok) return response;
  if (file.type === "application/wasm") {
    // Pyodide's wasm is answered from the cache even the first time: Chrome keeps the compiled code
    // of a module only when it comes from Cache Storage, so the code compiled while this first visit
    // imports the app is kept, and repeat visits start with it (far less to compile: ~90 ms less on
    // the Python worker, a third less in the background).
    await store(cache, cacheKey, response, file.size);
    return (await cache.match(cacheKey)) ?? fetch(request);
  }
  // Answered as it downloads, and cached meanwhile: the packages archive is inflated and read as
  // it arrives (waiting for it to be stored first held it back by ~300 ms on a first visit).
  waitUntil(store(cache, cacheKey, response.clone(), file.size).catch((error) => console.warn(`webdash: ${request.url} was not cached:`, error)));
  return response;
}

/**
 * Keep a build file in the cache, unless it is not the size the manifest gives: a file the host
 * served cut short (a deployment still uploading) would otherwise stay, under the hash of the
 * whole file, and fail every later visit, even once the upload has finished.
 * @param {Cache} cache @param {string} cacheKey @param {Response} response @param {number} size
 */
async function store(cache, cacheKey, response, size) {
  await cache.put(cacheKey, response);
  // A cached body is a Blob on disk: its size is known without reading it.
  const stored = await cache.match(cacheKey);
  if (stored && (await stored.blob()).size !== size) await cache.delete(cacheKey);
}

/**
 * The gzipped copy of a file at ``url``, inflated as it downloads (kept inflated in the cache, so
 * repeat visits read the file as it is).
 * @param {string} url @param {string} type  the file's own content type
 */
async function inflated(url, type) {
  const response = await fetch(url);
  if (!response.ok || !response.body) return response;
  return new Response(response.body.pipeThrough(new DecompressionStream("gzip")), {
    headers: { "Content-Type": type },
  });
}

/** The cache key of a file with given content. @param {string} url @param {string} sha256 */
function key(url, sha256) {
  return `${url}?sha256=${sha256}`;
}

/**
 * @param {Request} request @param {string} clientId
 * @param {(promise: Promise<void>) => void} waitUntil  keeps this worker alive for work after the answer
 */
async function fromPython(request, clientId, waitUntil) {
  // Component-suite scripts, and the assets Dash links with their modification time, are the same
  // for the whole build: Python serves each once.
  const cache = request.method === "GET" && isBuildConstant(new URL(request.url)) ? await caches.open(APP_CACHE) : undefined;
  const cached = await cache?.match(request);
  if (cached) {
    if (!cached.url) waitUntil(keepWithURL(request.url, clientId));
    return cached;
  }
  const response = await forward(request, clientId);
  if (cache && response.status === 200) {
    // Stored after the page has it (waiting for the store held plotly.js back by ~100 ms).
    waitUntil(cache.put(request, response.clone()).then(() => keepWithURL(request.url, clientId)));
  }
  return response;
}

/**
 * Ask the page to fetch `url` (answered from APP_CACHE) and put the answer back. A response this
 * worker makes has no URL, and Chrome keeps V8's compiled code of a script only for a cached
 * response whose URL is the script's; the response a page's fetch gets carries the URL it asked
 * for. Chrome stores the compiled code when the script first runs from there (the page runs them
 * once more for that, see `compileAhead` in bootstrap/loader.js); the visits after that run it
 * without compiling it (plotly.js: about a second; Dash's own scripts: ~100 ms of a repeat visit).
 * @param {string} url @param {string} clientId
 */
async function keepWithURL(url, clientId) {
  const client = clientId ? await self.clients.get(clientId) : undefined;
  client?.postMessage({ type: "sw:keep", url, cache: APP_CACHE });
}

/** @param {URL} url */
function isBuildConstant(url) {
  return url.pathname.includes("/_dash-component-suites/") || (url.pathname.includes("/assets/") && url.searchParams.has("m"));
}

/**
 * Send the request to the Python worker of the page it came from, together
 * with one end of a new MessageChannel; the answer comes back on the other end.
 * No table of pending requests: the channel is the request. The request goes
 * on the page's channel to its worker, or, when there is none, through the page.
 * @param {Request} request
 * @param {string} clientId
 */
async function forward(request, clientId) {
  const client = workerPorts.get(clientId) ?? (clientId ? await self.clients.get(clientId) : undefined);
  if (!client) {
    return textResponse(503, "No open page of this app runs Python for this request. Reload the page.");
  }
  const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
  const { port1, port2 } = new MessageChannel();
  const answer = new Promise((resolve) => {
    port1.onmessage = ({ data }) => resolve(data);
  });
  const message = {
    type: "http:request",
    request: { method: request.method, url: request.url, headers: [...request.headers], body },
  };
  client.postMessage(message, body ? [port2, body] : [port2]);
  const data = await answer;
  port1.close();
  if (data.type !== "http:response") {
    return textResponse(500, `webdash could not answer ${request.url}: ${data.error?.message}`);
  }
  const { status, statusText, headers } = data.response;
  const responseBody = NULL_BODY.has(status) || request.method === "HEAD" ? null : data.response.body;
  return new Response(responseBody, { status, statusText, headers });
}

/** @param {number} status @param {string} text */
function textResponse(status, text) {
  return new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
