// Messages between the service worker, the boot page and the Python worker.
// Same as webdash/_protocol.py; tests/test_protocol.py checks that the two agree.
// Bodies are ArrayBuffers, always transferred, never base64.

/** service worker -> worker (on its direct port, or relayed by the page); carries the MessagePort to answer on. */
export const HTTP_REQUEST = "http:request";
/** worker -> service worker, on the request's port. */
export const HTTP_RESPONSE = "http:response";
/** worker -> service worker, on the request's port. */
export const HTTP_ERROR = "http:error";
/** page -> worker: start Python for the site at `root`. */
export const BOOT_START = "boot:start";
/** worker -> page. */
export const BOOT_PROGRESS = "boot:progress";
/**
 * worker -> page: a saved snapshot fits this Python, whose memory is being restored; the page may
 * start on the Dash page Python gave last time (see loader.js).
 */
export const BOOT_RESUMING = "boot:resuming";
/** worker -> page, with `resumed`: whether Python was restored from a snapshot. */
export const BOOT_READY = "boot:ready";
/** worker -> page; terminal, keeps the first cause. */
export const BOOT_ERROR = "boot:error";
/** page -> service worker: take control of this page (after Shift+Reload). */
export const SW_CLAIM = "sw:claim";
/** page -> worker and page -> service worker: the two ends of a channel between them, for requests. */
export const SW_PORT = "sw:port";
/**
 * service worker -> page, with `url` and `cache`: fetch `url` (the service worker answers it from
 * `cache`) and put the answer back there. See `keepWithURL` in service_worker.js.
 */
export const SW_KEEP = "sw:keep";

/** Boot stages, in order, as the loading page names them. */
export const BOOT_STAGES = ["service-worker", "python", "packages", "app", "ready"];

/**
 * Same as HttpRequest in webdash/_protocol.py.
 * @typedef {object} HttpRequest
 * @property {string} method
 * @property {string} url  absolute URL, as the page asked for it
 * @property {[string, string][]} headers  in order, repeated names kept
 * @property {ArrayBuffer | null} body
 */

/**
 * Same as HttpResponse in webdash/_protocol.py.
 * @typedef {object} HttpResponse
 * @property {number} status
 * @property {string} statusText
 * @property {[string, string][]} headers
 * @property {ArrayBuffer} body
 */

/**
 * Same as ErrorInfo in webdash/_protocol.py.
 * @typedef {object} ErrorInfo
 * @property {string} name
 * @property {string} message
 * @property {string} stack
 */

/**
 * Same as BootConfig in webdash/_protocol.py.
 * @typedef {object} BootConfig
 * @property {string} root  the site's root URL (the service worker's scope), ends with "/"
 * @property {string} appDir  where the app was unpacked in the worker's filesystem
 */

/**
 * Same as BootProgress in webdash/_protocol.py.
 * @typedef {object} BootProgress
 * @property {"boot:progress"} type
 * @property {string} stage
 * @property {string} label
 * @property {number} loaded  bytes so far, over all downloads
 * @property {number} total  bytes in all, from the manifest
 */

/**
 * An Error as a plain object that survives postMessage.
 * @param {unknown} error
 * @returns {ErrorInfo}
 */
export function toErrorInfo(error) {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? "" };
  }
  return { name: "Error", message: String(error), stack: "" };
}
