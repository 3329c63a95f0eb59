// Start Python for a built webdash site: load the pinned Pyodide, install the
// locked wheels, unpack the app and import it. Used by the browser's worker
// (worker.js) and, unchanged, by the Node tests of the worker entry point.

import { BOOT_PROGRESS } from "./protocol.js";

/** Where the app directory is unpacked in Pyodide's filesystem. */
const APP_DIR = "/home/pyodide/app";
/** Pyodide core files it downloads itself; counted once loadPyodide returns. */
const PYODIDE_DOWNLOADS = ["pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip"];

/**
 * @param {object} options
 * @param {string} options.root  the app's root URL, ending in "/"
 * @param {string} [options.pyodideURL]  where pyodide.mjs lives (a file path in Node)
 * @param {(progress: import("./protocol.js").BootProgress) => void} [options.onProgress]
 * @param {string} [options.packageCacheDir]  Node only: where Pyodide keeps the distribution packages it downloads
 * @returns {Promise<{
 *   handle: (request: import("./protocol.js").HttpRequest) => import("./protocol.js").HttpResponse,
 *   memory: () => {wasmBytes: number, pythonObjects: number},
 * }>}
 */
export async function startPython({ root, pyodideURL, onProgress = () => {}, packageCacheDir }) {
  const site = root + "_webdash/";
  const [lock, manifest] = await Promise.all([getJSON(site + "lock.json"), getJSON(site + "manifest.json")]);
  // Files shared by the apps of a gallery live in manifest.shared (relative to the app's root).
  const shared = manifest.shared;
  pyodideURL ??= new URL(shared + "pyodide/", root).href;
  /** @param {string} path  relative to the app's root, as the manifest lists it */
  const sizeOf = (path) => manifest.files[path]?.size ?? 0;

  const archives = [
    ...lock.archives.map((file) => ({ path: shared + file, into: "site" })),
    { path: shared + "runtime.zip", into: "site" },
    { path: "_webdash/app.zip", into: APP_DIR },
  ];
  const distribution = Object.keys(lock.pyodide.lock.packages);
  const distributionURL = new URL(lock.pyodide.baseURL, root).href;
  const total = [
    ...archives.map((a) => a.path),
    ...PYODIDE_DOWNLOADS.map((f) => shared + "pyodide/" + f),
    ...distribution.map((name) => shared + "pyodide/" + lock.pyodide.lock.packages[name].file_name),
  ]
    .map(sizeOf)
    .reduce((a, b) => a + b, 0);
  let loaded = 0;
  let stage = ["python", "Downloading Python"];
  const report = () => onProgress({ type: BOOT_PROGRESS, stage: stage[0], label: stage[1], loaded, total });
  report();

  // All downloads start at once, so they overlap with Python's own start-up.
  const downloads = archives.map((a) =>
    fetchBytes(new URL(a.path, root).href, (n) => {
      loaded += n;
      report();
    }),
  );
  settleLater(downloads);
  const { loadPyodide } = await import(pyodideURL + "pyodide.mjs");
  const pyodide = await loadPyodide({
    indexURL: pyodideURL,
    // Only the app's packages from Pyodide's distribution; pyodide.loadPackage checks their sha256.
    lockFileContents: lock.pyodide.lock,
    packageBaseUrl: distributionURL,
    packageCacheDir,
    // Python's stderr carries warnings as well as errors; the app's own errors reach the page as HTTP 500s.
    stdout: (line) => console.log(line),
    stderr: (line) => console.warn(line),
  });
  loaded += PYODIDE_DOWNLOADS.map((f) => sizeOf(shared + "pyodide/" + f)).reduce((a, b) => a + b, 0);

  stage = ["packages", "Installing packages"];
  report();
  const fromDistribution = distribution.length ? loadDistribution(pyodide, distribution, distributionURL) : undefined;
  settleLater([fromDistribution]);
  const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  pyodide.FS.mkdirTree(APP_DIR);
  // webdash's own modules come first; they unpack the rest, keeping the times recorded in each zip.
  const runtime = archives.findIndex((a) => a.path === shared + "runtime.zip");
  pyodide.unpackArchive(await downloads[runtime], "zip", { extractDir: sitePackages });
  const { install_archive } = pyodide.pyimport("webdash._install");
  for (const [i, archive] of archives.entries()) {
    if (i === runtime) continue;
    const path = `/tmp/webdash-archive-${i}.zip`;
    pyodide.FS.writeFile(path, await downloads[i]);
    install_archive(path, archive.into === "site" ? sitePackages : archive.into);
  }
  await fromDistribution;

  stage = ["app", "Starting the app"];
  report();
  const worker = pyodide.pyimport("webdash._worker");
  worker.boot(root, APP_DIR);
  stage = ["ready", "Ready"];
  report();

  const gc = pyodide.pyimport("gc");
  return {
    /** Memory in use, for diagnostics and the benchmark: the wasm heap, and Python's live objects. */
    memory() {
      gc.collect();
      const objects = gc.get_objects();
      try {
        return { wasmBytes: pyodide._module.HEAP8.byteLength, pythonObjects: objects.length };
      } finally {
        objects.destroy();
      }
    },
    handle(request) {
      const result = worker.handle(request);
      try {
        const response = result.toJs({ dict_converter: Object.fromEntries });
        // toJs copies bytes into a fresh Uint8Array; send its whole buffer.
        let body = response.body;
        if (body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength) body = body.slice();
        return { ...response, body: body.buffer };
      } finally {
        result.destroy();
      }
    },
  };
}

/**
 * These promises are awaited later, one by one; until then a failure must not
 * count as unhandled (the first one awaited reports it).
 * @param {Array<Promise<unknown> | undefined>} promises
 */
function settleLater(promises) {
  for (const promise of promises) promise?.catch(() => {});
}

/**
 * Load packages of Pyodide's distribution (numpy, pandas, …) with their
 * shared libraries; Pyodide reports a failed download only to its callbacks.
 * @param {any} pyodide
 * @param {string[]} names
 * @param {string} baseURL  where they load from
 */
async function loadDistribution(pyodide, names, baseURL) {
  const errors = [];
  await pyodide.loadPackage(names, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
  const missing = names.filter((name) => !(name in pyodide.loadedPackages));
  if (errors.length || missing.length) {
    throw new Error(
      `Could not load ${missing.join(", ") || names.join(", ")} from Pyodide's package distribution ` +
        `at ${baseURL}. ` +
        "It is fetched on first use: this computer needs access to it, or the site must be built with a " +
        `local mirror (webdash build --pyodide-packages DIR).\n${errors.join("\n")}`,
    );
  }
}

/** @param {string} url */
async function getJSON(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}. Is the site fully deployed?`);
  return response.json();
}

/**
 * Download `url` and report each chunk's size.
 * @param {string} url
 * @param {(bytes: number) => void} onChunk
 */
async function fetchBytes(url, onChunk) {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}. Is the site fully deployed?`);
  const chunks = [];
  let size = 0;
  for (const reader = response.body.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    onChunk(value.byteLength);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
