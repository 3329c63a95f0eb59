// The Python worker: boots Pyodide and the app once, then answers the
// http:request messages the page relays from the service worker, each on its
// own MessagePort. Boot failure is terminal and keeps its first cause.

import { startPython } from "./python.js";
import * as protocol from "./protocol.js";
import { buildCacheName, cacheStore, filesReadLate, snapshotBase } from "./snapshot.js";

/** @type {Promise<Awaited<ReturnType<typeof startPython>>> | undefined} */
let python;

self.onmessage = (event) => {
  const { data, ports } = event;
  if (data.type === protocol.BOOT_START && !python) {
    python = boot(data.root);
    // The failure was reported as boot:error; requests that await it answer with it.
    python.catch(() => {});
  } else if (data.type === protocol.SW_PORT) {
    // The service worker's end of this channel sends requests straight here, past the page.
    ports[0].onmessage = onRequest;
  } else {
    onRequest(event); // relayed by the page
  }
};

/** An http:request, on the service worker's channel or relayed by the page. @param {MessageEvent} event */
function onRequest({ data, ports }) {
  if (data.type === protocol.HTTP_REQUEST) answer(data.request, ports[0]);
}

/** @param {string} root */
async function boot(root) {
  try {
    const py = await startPython({
      root,
      onProgress: (progress) => self.postMessage(progress),
      onResuming: () => self.postMessage({ type: protocol.BOOT_RESUMING }),
      // Kept with the build's files, and removed with them.
      snapshots: (buildId) => cacheStore(buildCacheName(root, buildId), snapshotBase(root)),
    });
    // For diagnostics from the browser's dev tools (and the benchmark): webdash.memory().
    // webdash.saved settles once this boot's memory snapshot is stored (the next visit resumes from it).
    // webdash.readLate(): the saved files a resumed Python has read since, each when first opened.
    self.webdash = { memory: py.memory, saved: py.saved, resumed: py.resumed, readLate: filesReadLate };
    self.postMessage({ type: protocol.BOOT_READY, resumed: py.resumed });
    return py;
  } catch (error) {
    self.postMessage({ type: protocol.BOOT_ERROR, error: describe(error) });
    throw error;
  }
}

/**
 * Requests that arrive while Python is still booting wait on the one boot promise.
 * @param {import("./protocol.js").HttpRequest} request
 * @param {MessagePort} port
 */
async function answer(request, port) {
  try {
    if (!python) throw new Error("Python was asked for a response before it was started.");
    const response = await (await python).handle(request);
    port.postMessage({ type: protocol.HTTP_RESPONSE, response }, [response.body]);
  } catch (error) {
    port.postMessage({ type: protocol.HTTP_ERROR, error: describe(error) });
  }
}

/**
 * A Python exception arrives as a PythonError whose message is the whole
 * traceback; webdash's own AppError already says what went wrong in the app,
 * so show its text and keep the traceback as the stack.
 * @param {any} error
 */
function describe(error) {
  const info = protocol.toErrorInfo(error);
  if (error?.type === "AppError") {
    const marker = "AppError: ";
    info.stack = info.message;
    info.message = info.message.slice(info.message.lastIndexOf(marker) + marker.length).trim();
  }
  return info;
}
