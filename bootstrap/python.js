// Start Python for a built webdash site: load the pinned Pyodide, install the
// locked wheels, unpack the app and import it. Used by the browser's worker
// (worker.js) and, unchanged, by the Node tests of the worker entry point.

import { BOOT_PROGRESS } from "./protocol.js";
import * as snapshot from "./snapshot.js";

/** Where the app directory is unpacked in Pyodide's filesystem. */
const APP_DIR = "/home/pyodide/app";
/** Pyodide's site-packages, where the packages archives are unpacked. */
const SITE_PACKAGES = "/lib/python3.14/site-packages/";
/** Pyodide core files it downloads itself; counted once loadPyodide returns. */
const PYODIDE_DOWNLOADS = ["pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip"];
/**
 * A new snapshot is stored once the app has answered no request for this long (or at the latest
 * after STORE_AT_THE_LATEST_MS): storing one copies ~100 MB on the Python worker, which held up
 * the first visit's page by ~130 ms when it was stored at once.
 */
const STORE_WHEN_QUIET_MS = 2000;
const STORE_AT_THE_LATEST_MS = 15_000;
/**
 * Downloaded bytes are reported at most this often: each report is a message to the page and a
 * repaint there, and a first visit's downloads come in a few hundred chunks while both cores are busy.
 */
const PROGRESS_EVERY_MS = 100;

/**
 * @typedef {object} Python
 * @property {(request: import("./protocol.js").HttpRequest) => Promise<import("./protocol.js").HttpResponse>} handle
 * @property {() => {wasmBytes: number, pythonObjects: number}} memory
 * @property {boolean} resumed  whether it was restored from a snapshot
 * @property {Promise<void>} saved  settles once the snapshot of this boot is stored (or was not made)
 */

/**
 * @param {object} options
 * @param {string} options.root  the app's root URL, ending in "/"
 * @param {string} [options.pyodideURL]  where pyodide.mjs lives (a file path in Node)
 * @param {(progress: import("./protocol.js").BootProgress) => void} [options.onProgress]
 * @param {() => void} [options.onResuming]  called when a saved snapshot turns out to fit, while
 *   Python's memory is being restored from it
 * @param {string} [options.packageCacheDir]  Node only: where Pyodide keeps the distribution packages it downloads
 * @param {(buildId: string) => import("./snapshot.js").SnapshotStore} [options.snapshots]
 *   where this build's memory snapshot is kept: resumed from if there, else saved after the boot
 * @returns {Promise<Python>}
 */
export async function startPython({
  root,
  pyodideURL,
  onProgress = () => {},
  onResuming = () => {},
  packageCacheDir,
  snapshots,
}) {
  const site = root + "_webdash/";
  const [lock, manifest] = await Promise.all([getJSON(site + "lock.json"), getJSON(site + "manifest.json")]);
  // Files shared by the apps of a gallery live in manifest.shared (relative to the app's root).
  const shared = manifest.shared;
  pyodideURL ??= new URL(shared + "pyodide/", root).href;
  const distribution = Object.keys(lock.pyodide.lock.packages);
  const distributionURL = new URL(lock.pyodide.baseURL, root).href;
  const pyodideOptions = {
    indexURL: pyodideURL,
    // Only the app's packages from Pyodide's distribution; pyodide.loadPackage checks their sha256.
    lockFileContents: lock.pyodide.lock,
    packageBaseUrl: distributionURL,
    packageCacheDir,
    // Python's stderr carries warnings as well as errors; the app's own errors reach the page as HTTP 500s.
    stdout: (/** @type {string} */ line) => console.log(line),
    stderr: (/** @type {string} */ line) => console.warn(line),
  };

  // Packages from Pyodide's distribution bring libraries of their own: those apps boot afresh each time.
  const store = distribution.length ? undefined : snapshots?.(manifest.buildId);
  const key = snapshot.snapshotKey(manifest.buildId);
  if (store) {
    let saved = await store.get(key).catch((error) => console.warn("webdash: cannot read the snapshot:", error));
    // Without one of its own, a visit resumes from the snapshot the build shipped, if it fits.
    const fromBuild = !saved && SHIPPED + "index.json" in manifest.files && !(await store.refusedShipped?.());
    if (fromBuild) {
      saved = await shippedSnapshot(root, manifest, onProgress).catch((error) => console.warn("webdash: cannot read the shipped snapshot:", error));
    }
    // A broken shipped snapshot is not tried again; this visit's own is saved instead.
    const forget = () => Promise.all([store.delete(), fromBuild && store.refuseShipped?.()]);
    if (saved) {
      // (A shipped one says so once it has downloaded.)
      if (!fromBuild) onProgress({ type: BOOT_PROGRESS, stage: "python", label: "Resuming the app", loaded: 0, total: 0 });
      try {
        // Python errors come back as HTTP 500s: an exception from a request means the resumed
        // runtime is broken, so the next visit boots afresh.
        const stdlibFile = shared + "pyodide/python_stdlib.zip";
        const stdlibZip = { url: new URL(stdlibFile, root).href, sha256: manifest.files[stdlibFile]?.sha256 ?? "" };
        const onBroken = () => forget().catch(() => {});
        const requests = activity();
        const resumed = await resume(saved, pyodideOptions, { root, stdlibZip, onBroken, onResuming, requests });
        onProgress({ type: BOOT_PROGRESS, stage: "ready", label: "Ready", loaded: 0, total: 0 });
        const { index, memory, data } = saved;
        const quiet = requests.quiet(STORE_WHEN_QUIET_MS, STORE_AT_THE_LATEST_MS);
        if (!fromBuild) {
          // The files this visit read on first use once the page had loaded are read ahead next time.
          const learned = quiet.then(() => {
            const wider = snapshot.learnReadAhead(index);
            return wider && store.putIndex?.(wider);
          });
          return { ...resumed, saved: learned.catch((error) => console.warn("webdash: the snapshot's index was not updated:", error)) };
        }
        // Kept as this browser's own snapshot, as a first boot's is: later visits read it as it is.
        const stored = quiet
          .then(async () => store.put({ index: snapshot.learnReadAhead({ ...index, key }) ?? { ...index, key }, memory: await memory, data: await data }))
          .catch((error) => console.warn("webdash: the snapshot was not stored:", error));
        return { ...resumed, saved: stored };
      } catch (error) {
        console.warn(`webdash: the ${fromBuild ? "shipped" : "saved"} snapshot did not restore; starting afresh.`, error);
        await forget().catch(() => {});
      }
    }
  }

  /** @param {string} path  relative to the app's root, as the manifest lists it */
  const sizeOf = (path) => manifest.files[path]?.size ?? 0;
  const packs = lock.archives.map((/** @type {string} */ file) => shared + file);
  const zips = [shared + "runtime.zip", "_webdash/app.zip"];
  const total = [
    ...packs,
    ...zips,
    ...PYODIDE_DOWNLOADS.map((f) => shared + "pyodide/" + f),
    ...distribution.map((name) => shared + "pyodide/" + lock.pyodide.lock.packages[name].file_name),
  ]
    .map(sizeOf)
    .reduce((a, b) => a + b, 0);
  let loaded = 0;
  let stage = ["python", "Downloading Python"];
  // The bytes belong to the first stage: the later ones are work on them, not more downloads.
  const report = () =>
    onProgress({ type: BOOT_PROGRESS, stage: stage[0], label: stage[1], ...(stage[0] === "python" ? { loaded, total } : { loaded: 0, total: 0 }) });
  report();
  let countedAt = -Infinity;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let trailing;
  const reportCount = () => {
    trailing = undefined;
    countedAt = performance.now();
    report();
  };
  /** @param {number} n */
  const count = (n) => {
    loaded += n;
    // The app's small zips may finish after the stage has moved on: the stage never goes back.
    if (loaded >= total && stage[0] === "python") stage = ["python", "Starting Python"];
    const wait = countedAt + PROGRESS_EVERY_MS - performance.now();
    // Within the interval, one report at its end carries the count on.
    if (wait > 0) trailing ??= setTimeout(reportCount, wait);
    else reportCount();
  };

  // Pyodide fetches its own files: each is counted once this worker has received all of it and has
  // a moment to look (Python's start keeps it busy), or else once Pyodide has started.
  const pyodideFiles = new Map(PYODIDE_DOWNLOADS.map((f) => [pyodideURL + f, sizeOf(shared + "pyodide/" + f)]));
  const countPyodideFile = (/** @type {string} */ url) => {
    const size = pyodideFiles.get(url);
    if (size === undefined) return;
    pyodideFiles.delete(url);
    count(size);
  };
  const fetched = typeof PerformanceObserver === "function" && PerformanceObserver.supportedEntryTypes?.includes("resource")
    ? new PerformanceObserver((entries) => entries.getEntries().forEach((entry) => countPyodideFile(entry.name)))
    : undefined;
  fetched?.observe({ type: "resource", buffered: true });
  // All downloads start at once, so they overlap with Python's own start-up.
  const downloads = zips.map((path) => fetchBytes(new URL(path, root).href, count));
  const packages = Promise.all(packs.map((path) => fetchPack(new URL(path, root).href, SITE_PACKAGES, count)));
  settleLater([...downloads, packages]);
  // The packages' extension modules are loaded before Python starts, as a restore will load
  // them; the rest of their files follow once it has started (Pyodide takes any package
  // metadata it finds at start-up for packages of its own).
  const isLibrary = (/** @type {[string, ...unknown[]]} */ [path]) => path.endsWith(".so");
  /** @type {ReturnType<typeof snapshot.beforeStart> | undefined} */
  let prepared;
  const pyodide = await loadPyodideWith({ ...pyodideOptions, _makeSnapshot: Boolean(store) }, (Module) => {
    prepared = snapshot.beforeStart(
      Module,
      packages.then((all) => all.map((p) => ({ ...p, files: p.files.filter(isLibrary) }))),
      (placed) => placed.flatMap((p) => p.files.map(([path]) => path)),
    );
  });
  await prepared?.placed;
  for (const pack of await packages) {
    await snapshot.placeFiles(pyodide.FS, { ...pack, files: pack.files.filter((file) => !isLibrary(file)) });
  }
  fetched?.disconnect();
  for (const url of [...pyodideFiles.keys()]) countPyodideFile(url);

  stage = ["packages", "Installing packages"];
  report();
  const fromDistribution = distribution.length ? loadDistribution(pyodide, distribution, distributionURL) : undefined;
  settleLater([fromDistribution]);
  // Pyodide's prefix is "/", so sysconfig says "//lib/…".
  const sitePackages = "/" + pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')").replace(/^\/+/, "");
  if (sitePackages + "/" !== SITE_PACKAGES) throw new Error(`Pyodide's site-packages moved to ${sitePackages}.`);
  pyodide.FS.mkdirTree(APP_DIR);
  // webdash's own modules come first; they unpack the app, keeping the times recorded in its zip.
  pyodide.unpackArchive(await downloads[0], "zip", { extractDir: sitePackages });
  const { install_archive } = pyodide.pyimport("webdash._install");
  pyodide.FS.writeFile("/tmp/webdash-app.zip", await downloads[1]);
  install_archive("/tmp/webdash-app.zip", APP_DIR);
  await fromDistribution;

  stage = ["app", "Starting the app"];
  report();
  const worker = pyodide.pyimport("webdash._worker");
  worker.boot(root, APP_DIR);
  // Saved now, before any request changes the app's state; stored once the first page has loaded.
  const saved = store && snapshot.capture(pyodide, key, [sitePackages, APP_DIR], prepared?.loaded() ?? []);
  const opened = saved && snapshot.openedSince(pyodide.FS, [sitePackages, APP_DIR]);
  stage = ["ready", "Ready"];
  report();
  const requests = activity();
  const stored =
    saved &&
    requests
      .quiet(STORE_WHEN_QUIET_MS, STORE_AT_THE_LATEST_MS)
      .then(() => store.put(snapshot.asKept({ ...saved, index: { ...saved.index, readAhead: opened?.() } })))
      .catch((error) => console.warn("webdash: the snapshot was not stored:", error));
  return python(pyodide, worker, { resumed: false, saved: stored ?? Promise.resolve(), requests });
}

/**
 * @typedef {object} Activity  the requests Python is answering
 * @property {() => boolean} busy  whether any is in flight
 * @property {<T>(work: () => Promise<T>) => Promise<T>} during  counts `work` as a request in flight
 * @property {(ms: number, latest: number) => Promise<void>} quiet  settles once no request has
 *   been in flight for `ms`, or after `latest` ms in any case
 */

/** @returns {Activity} */
function activity() {
  let inFlight = 0;
  let changed = () => {};
  return {
    busy: () => inFlight > 0,
    async during(work) {
      inFlight += 1;
      changed();
      try {
        return await work();
      } finally {
        inFlight -= 1;
        changed();
      }
    },
    quiet: (ms, latest) =>
      new Promise((resolve) => {
        /** @type {ReturnType<typeof setTimeout> | undefined} */
        let timer;
        const done = () => {
          // Requests after this one no longer start timers.
          changed = () => {};
          clearTimeout(timer);
          clearTimeout(deadline);
          resolve();
        };
        const deadline = setTimeout(done, latest);
        changed = () => {
          clearTimeout(timer);
          if (inFlight === 0) timer = setTimeout(done, ms);
        };
        changed();
      }),
  };
}

/**
 * Restore a saved snapshot.
 * @param {import("./snapshot.js").Saved} saved
 * @param {{indexURL: string}} pyodideOptions
 * @param {object} how
 * @param {string} how.root  the app's root URL (a shipped snapshot was made at another host)
 * @param {{url: string, sha256: string}} how.stdlibZip  Pyodide's standard library zip in this build
 * @param {() => void} how.onBroken  called when a request fails outside Python's own error handling
 * @param {() => void} how.onResuming  called once the module is made and the snapshot fits it
 * @param {Activity} how.requests  where the requests are counted
 * @returns {Promise<Python>}
 */
async function resume(saved, pyodideOptions, { root, stdlibZip, onBroken, onResuming, requests }) {
  /** @type {ReturnType<typeof snapshot.beforeStart> | undefined} */
  let prepared;
  const { files, dirs, dynlibs, memorySize, memoryHeader } = saved.index;
  if (typeof memoryHeader !== "number") throw new Error("The snapshot was saved by an earlier webdash.");
  // Pyodide reads a snapshot whole before it makes the module. It gets only the snapshot's header;
  // the wasm memory is read meanwhile and written into the module once it is made.
  const memory = Promise.resolve(saved.memory).then((m) => (m instanceof Blob ? m : new Blob([m])));
  const part = (/** @type {number} */ start, /** @type {number | undefined} */ end) =>
    memory.then((blob) => blob.slice(start, end).arrayBuffer()).then((bytes) => new Uint8Array(bytes));
  const header = part(0, memoryHeader);
  const heap = part(memoryHeader, undefined); // to the end: a kept snapshot leaves its zeros out
  settleLater([heap]);
  const data = Promise.resolve(saved.data);
  const ahead = data.then((blob) => (blob instanceof Blob ? snapshot.readAhead(files, blob, saved.index.readAhead) : undefined));
  const compiled = ahead.then((map) => map && snapshot.compileAhead(map, dynlibs));
  settleLater([ahead, compiled]);
  // Pyodide writes its standard library (10.6 MB) into memory on every start, and a resumed Python
  // rarely reads it: it gets an empty one, and the real one is read when Python first opens it.
  const stdlib = snapshot.READS_ON_FIRST_USE
    ? snapshot.keptFile(stdlibZip.url, stdlibZip.sha256).then((kept) => kept ?? fetchOK(stdlibZip.url).then((r) => r.blob()))
    : undefined;
  settleLater([stdlib]);
  const options = { ...pyodideOptions, _loadSnapshot: header, ...(stdlib && { stdLibURL: EMPTY_FILE }) };
  const pyodide = await loadPyodideWith(options, (Module) => {
    const placed = Promise.all([data, ahead]).then(([data, ahead]) => [{ files, dirs, data, ahead }]);
    prepared = snapshot.beforeStart(Module, placed, () => dynlibs, memorySize, compiled);
  }, async (Module) => {
    // The module is made, with its libraries: whether the snapshot fits shows now, before
    // the snapshot's memory is written into it.
    snapshot.checkFits(Module, saved);
    if (stdlib) snapshot.stdlibOnFirstUse(Module.FS, await stdlib, saved.index);
    onResuming();
    snapshot.writeMemory(Module.HEAP8, await heap, saved.index);
    snapshot.refillTimeZone(Module, saved);
  });
  await prepared?.placed;
  snapshot.resumeState(pyodide, saved);
  const worker = pyodide.pyimport("webdash._worker");
  worker.resumed(root);
  return python(pyodide, worker, { resumed: true, saved: Promise.resolve(), onBroken, requests });
}

/** Where `webdash build --snapshot` ships the snapshot it made (webdash/_snapshot.py), from the app's root. */
const SHIPPED = "_webdash/prebuilt/";

/**
 * The snapshot the build shipped, unless it was made for another build, URL path or kind of engine
 * (then not a byte of it is downloaded). Whether its function table fits shows once the module is
 * made, as for a snapshot of this browser's own.
 * @param {string} root
 * @param {{buildId: string, files: Record<string, {size: number}>}} manifest
 * @param {(progress: import("./protocol.js").BootProgress) => void} onProgress  told the bytes downloaded
 * @returns {Promise<import("./snapshot.js").Saved | undefined>}
 */
async function shippedSnapshot(root, { buildId, files }, onProgress) {
  const base = root + SHIPPED;
  const index = await getJSON(base + "index.json");
  const fits = { buildId, path: new URL(root).pathname, jspi: STACK_SWITCHING };
  const differs = Object.entries(fits).filter(([name, value]) => index[name] !== value);
  if (differs.length) {
    console.info(`webdash: the shipped snapshot is for another ${differs.map(([name]) => name).join(", ")}; starting afresh.`);
    return undefined;
  }
  const names = ["memory.gz", "files.gz"];
  const total = names.map((name) => files[SHIPPED + name]?.size ?? 0).reduce((a, b) => a + b, 0);
  let loaded = 0;
  let reportedAt = -Infinity;
  const count = (/** @type {number} */ bytes) => {
    loaded += bytes;
    if (performance.now() - reportedAt < PROGRESS_EVERY_MS && loaded < total) return;
    reportedAt = performance.now();
    const label = loaded < total ? "Downloading the app" : "Resuming the app";
    onProgress({ type: BOOT_PROGRESS, stage: "python", label, loaded, total });
  };
  // Inflated as it downloads (a gzip-capable host may not send it so), then read as a Blob.
  const inflated = (/** @type {string} */ name) =>
    download(base + name, count).then((stream) => new Response(stream.pipeThrough(new DecompressionStream("gzip"))).blob());
  const [memory, data] = names.map(inflated);
  return { index, memory, data };
}

/**
 * loadPyodide, with `hook(Module)` run as an emscripten pre-run step, before Python starts, and
 * `created(Module)` once the module is made, before Pyodide goes on with it.
 * @param {{indexURL: string} & Record<string, unknown>} options
 * @param {(Module: any) => void} hook
 * @param {(Module: any) => void | Promise<void>} [created]
 */
async function loadPyodideWith(options, hook, created) {
  const [{ loadPyodide }, { default: create }] = await Promise.all([
    import(options.indexURL + "pyodide.mjs"),
    import(options.indexURL + "pyodide.asm.mjs"),
  ]);
  const createPyodideModule = async (/** @type {any} */ settings) => {
    settings.preRun.push(hook);
    snapshot.watchTimeZone(settings);
    const Module = await create(settings);
    await created?.(Module);
    return Module;
  };
  return loadPyodide({ ...options, createPyodideModule });
}

/**
 * The booted Python, as the worker uses it.
 * @param {any} pyodide
 * @param {any} worker  the webdash._worker module
 * @param {{resumed: boolean, saved: Promise<void>, onBroken?: () => void, requests?: Activity}} how
 *   whether it was resumed; when its snapshot is stored; what to do when a request fails outside
 *   Python's own error handling (which answers the app's errors as HTTP 500s); where requests
 *   are counted
 * @returns {Python}
 */
function python(pyodide, worker, { resumed, saved, onBroken, requests = activity() }) {
  const gc = pyodide.pyimport("gc");
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let tidying;
  return {
    resumed,
    saved,
    /** Memory in use, for diagnostics and the benchmark: the wasm heap, and Python's live objects. */
    memory() {
      gc.collect();
      const objects = gc.get_objects();
      try {
        // Those made by the app's boot are frozen, out of the collector's lists (see webdash._worker.boot).
        return { wasmBytes: pyodide._module.HEAP8.byteLength, pythonObjects: objects.length + gc.get_freeze_count() };
      } finally {
        objects.destroy();
      }
    },
    async handle(request) {
      try {
        return await requests.during(() => answer(worker, request));
      } catch (error) {
        onBroken?.();
        throw error;
      } finally {
        // After this response is sent: the garbage of the requests answered (see webdash._worker.tidy).
        tidying ??= setTimeout(() => {
          tidying = undefined;
          try {
            if (!requests.busy()) worker.tidy();
          } catch (error) {
            // Only the garbage waits for a later collection; a broken Python shows in its requests.
            console.warn("webdash: could not collect garbage between requests:", error);
          }
        });
      }
    },
  };
}

/**
 * Whether this JavaScript engine can suspend WebAssembly (JS Promise Integration: Chrome 137+).
 * With it, a request runs on a stack of its own: a callback in time.sleep() (which Pyodide turns
 * into an await) lets the next request run meanwhile, in the same Python.
 */
const STACK_SWITCHING = typeof (/** @type {any} */ (WebAssembly).Suspending) === "function";

/**
 * One request through webdash._worker.handle, its response with the body as an ArrayBuffer.
 * @param {any} worker
 * @param {import("./protocol.js").HttpRequest} request
 * @returns {Promise<import("./protocol.js").HttpResponse>}
 */
async function answer(worker, request) {
  const result = STACK_SWITCHING ? await worker.handle.callPromising(request) : worker.handle(request);
  try {
    const response = result.toJs({ dict_converter: Object.fromEntries });
    // toJs copies bytes into a fresh Uint8Array; send its whole buffer.
    let body = response.body;
    if (body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength) body = body.slice();
    return { ...response, body: body.buffer };
  } finally {
    result.destroy();
  }
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

/** A URL of no bytes. */
const EMPTY_FILE = "data:application/octet-stream,";

/** The response for `url`, or an error saying which file is missing or out of reach. @param {string} url */
async function fetchOK(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    // Offline (or the host unreachable), and the service worker has not kept it: it came from the
    // network on no earlier visit (a visit that resumed from a shipped snapshot needs few files).
    throw new Error(
      `${url} could not be downloaded (${/** @type {Error} */ (error).message}), and this browser ` +
        "has not kept it from an earlier visit: this start needs the network. Reconnect, then reload.",
    );
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}. Is the site fully deployed?`);
  return response;
}

/** @param {string} url */
async function getJSON(url) {
  return (await fetchOK(url)).json();
}

/**
 * Download `url` and report each chunk's size.
 * @param {string} url
 * @param {(bytes: number) => void} onChunk
 */
async function fetchBytes(url, onChunk) {
  return new Uint8Array(await new Response(await download(url, onChunk)).arrayBuffer());
}

/**
 * Download a packages archive ("pack", see webdash/_archive.py): one gzip
 * stream, inflated as it arrives, of an index and then every file's bytes.
 * @param {string} url
 * @param {string} root  where its paths go (site-packages)
 * @param {(bytes: number) => void} onChunk  told each compressed chunk's size
 * @returns {Promise<import("./snapshot.js").Files>}
 */
async function fetchPack(url, root, onChunk) {
  const body = await download(url, onChunk); // its own errors say which file is missing
  try {
    const data = new Uint8Array(await new Response(body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
    if (new TextDecoder().decode(data.subarray(0, 4)) !== "WDPK") throw new Error("it is not a webdash packages archive");
    const length = new DataView(data.buffer, 4, 4).getUint32(0, true);
    const index = JSON.parse(new TextDecoder().decode(data.subarray(8, 8 + length)));
    let offset = 8 + length;
    /** @type {import("./snapshot.js").Files["files"]} */
    const files = [];
    for (const [name, size, mtime] of index.files) {
      files.push([root + name, offset, size, mtime * 1000]);
      offset += size;
    }
    if (offset !== data.length) throw new Error(`it holds ${data.length} bytes where its index lists ${offset}`);
    return { files, data };
  } catch (error) {
    // A pack cut short (a deployment still uploading) fails here: in the gzip stream, or after it.
    throw new Error(`${url} could not be read: ${/** @type {Error} */ (error).message}. Is the site fully deployed?`);
  }
}

/**
 * The body of `url` as a stream that reports each chunk's size as it passes.
 * @param {string} url
 * @param {(bytes: number) => void} onChunk
 */
async function download(url, onChunk) {
  const response = await fetchOK(url);
  if (!response.body) throw new Error(`${url}: HTTP ${response.status} without a body. Is the site fully deployed?`);
  return response.body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        onChunk(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}
