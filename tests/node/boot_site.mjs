// Boots a built site's Python the way the browser's worker does (bootstrap/python.js),
// then answers the requests given as JSON on argv[4] and prints the responses as JSON.
// Usage: node boot_site.mjs <site root URL> <site folder> '<[{method, path, headers, body}]>' [resume]
// With "resume", it boots twice in this process, saving a memory snapshot in memory after the
// first boot and resuming from it in the second; the requests go to the second Python.
// "resume-mismatched" does the same with a snapshot whose function table size is off by one;
// "resume-after-requests" sends the requests to the first Python too, before its snapshot is stored.
import path from "node:path";
import { pathToFileURL } from "node:url";

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";

const [root, siteDir, requestsJSON, mode] = process.argv.slice(2);
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
/** One snapshot, kept in this process (the browser keeps it in Cache Storage). */
let kept;
const snapshots =
  mode?.startsWith("resume")
    ? () => ({
        get: async (key) => (kept?.index.key === key ? kept : undefined),
        put: async (saved) => void (kept = saved),
        delete: async () => void (kept = undefined),
      })
    : undefined;
let python;
/** The first Python's answers, in "resume-after-requests" mode. */
let firstResponses;
/** How long each boot took (ms). */
const bootsMs = [];
try {
  if (snapshots) {
    const first = await startPython({ root, pyodideURL, packageCacheDir, snapshots });
    if (mode === "resume-after-requests") firstResponses = await answer(first);
    await first.saved;
    bootsMs.push(performance.now() - started);
    if (kept && mode === "resume-mismatched") kept.index.tableSize += 1;
  }
  const bootStarted = performance.now();
  python = await startPython({ root, pyodideURL, packageCacheDir, snapshots, onProgress: (p) => stages.push(p.stage) });
  bootsMs.push(performance.now() - bootStarted);
} catch (error) {
  console.log(JSON.stringify({ stages: [...new Set(stages)], error: { type: error.type, message: error.message } }));
  process.exit(0);
}
const bootMs = performance.now() - started;

const responses = await answer(python);
await python.saved;
// Whether the requests went to a resumed Python, and whether a snapshot is kept in the end.
const snapshot = { resumed: python.resumed, kept: Boolean(kept) };
console.log(JSON.stringify({ bootMs, bootsMs, snapshot, stages: [...new Set(stages)], responses, firstResponses }));

/** The requests given on the command line, answered one after another by `python`. */
async function answer(python) {
  const answered = [];
  for (const r of JSON.parse(requestsJSON)) {
    // As in the browser, each request arrives in a message of its own, after what the last one queued.
    await new Promise((resolve) => setTimeout(resolve));
    const body = r.body === undefined ? null : new TextEncoder().encode(r.body).buffer;
    const response = await python.handle({ method: r.method, url: root + r.path, headers: r.headers ?? [], body });
    answered.push({ ...response, body: Buffer.from(response.body).toString("latin1") });
  }
  return answered;
}
