// webdash's service worker: hands every request the app's page makes to
// Python (Flask's test client in a Web Worker that the page owns) and passes
// everything else to the network. It knows no Python.
//
// Lifecycle: the boot page registers it with the site's root as scope. It
// activates at once (skipWaiting) and claims open pages (clients.claim), so the
// page that registered it is controlled without a reload. The browser may kill
// and restart it at any time, so it keeps no state of its own in memory: every
// request finds its page again by clientId and gets a fresh MessageChannel.

/** The site's root URL: this file sits at the root of the built site. */
const ROOT = new URL("./", self.location.href).href;
/** webdash's own static files (Pyodide, wheels, the boot scripts). */
const SITE_FILES = ROOT + "_webdash/";
/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("message", (event) => {
  // A page loaded with Shift+Reload starts uncontrolled; its loader asks for it.
  if (event.data?.type === "sw:claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!isAppRequest(request)) return; // the browser fetches it from the network as usual
  if (request.mode === "navigate") {
    // A new document (first visit, reload, deep link): it boots Python itself.
    event.respondWith(loaderPage());
  } else {
    event.respondWith(forward(request, event.clientId));
  }
});

/** @param {Request} request */
function isAppRequest(request) {
  const url = request.url;
  if (!url.startsWith(ROOT)) return false; // another origin, or a path outside this site
  if (url.startsWith(SITE_FILES)) return false; // webdash's static files, straight from the host
  if (url === ROOT + "service_worker.js") return false; // the browser checks it for updates
  return true;
}

/** The boot page, for any URL of the site; <base> makes its relative URLs resolve from the root. */
async function loaderPage() {
  const response = await fetch(ROOT + "index.html");
  const html = (await response.text()).replace("<head>", `<head><base href="${ROOT}">`);
  return new Response(html, { status: response.status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/**
 * Send the request to the page it came from, which relays it to its Python
 * worker together with one end of a new MessageChannel; the answer comes back
 * on the other end. No table of pending requests: the channel is the request.
 * @param {Request} request
 * @param {string} clientId
 */
async function forward(request, clientId) {
  const client = clientId ? await self.clients.get(clientId) : undefined;
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
