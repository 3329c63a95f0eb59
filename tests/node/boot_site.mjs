// Boots a built site's Python the way the browser's worker does (bootstrap/python.js),
// then answers the requests given as JSON on argv[4] and prints the responses as JSON.
// Usage: node boot_site.mjs <site root URL> <site folder> '<[{method, path, headers, body}]>'
import path from "node:path";
import { pathToFileURL } from "node:url";

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";

const [root, siteDir, requestsJSON] = process.argv.slice(2);
// In a gallery the shared files (bootstrap, Pyodide, wheels) sit outside the app's folder.
const manifest = JSON.parse(readFileSync(path.join(siteDir, "_webdash/manifest.json"), "utf8"));
const shared = path.resolve(siteDir, manifest.shared);
const { startPython } = await import(pathToFileURL(path.join(shared, "bootstrap/python.js")).href);
// Node cannot import() modules over http, so Pyodide itself is loaded from the folder;
// everything else (lock, manifest, wheels, app) is fetched from the served site.
const pyodideURL = path.join(shared, "pyodide") + "/";
const stages = [];
const started = performance.now();
// In Node, Pyodide keeps the distribution packages it downloads on disk: not in the working folder.
const packageCacheDir = mkdtempSync(path.join(os.tmpdir(), "webdash-packages-"));
process.on("exit", () => rmSync(packageCacheDir, { recursive: true, force: true }));
let python;
try {
  python = await startPython({ root, pyodideURL, packageCacheDir, onProgress: (p) => stages.push(p.stage) });
} catch (error) {
  console.log(JSON.stringify({ stages: [...new Set(stages)], error: { type: error.type, message: error.message } }));
  process.exit(0);
}
const bootMs = performance.now() - started;

const responses = [];
for (const r of JSON.parse(requestsJSON)) {
  const body = r.body === undefined ? null : new TextEncoder().encode(r.body).buffer;
  const response = python.handle({ method: r.method, url: root + r.path, headers: r.headers ?? [], body });
  responses.push({ ...response, body: Buffer.from(response.body).toString("latin1") });
}
console.log(JSON.stringify({ bootMs, stages: [...new Set(stages)], responses }));
