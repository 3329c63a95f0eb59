// Resuming Python from a memory snapshot. The first visit boots as usual
// (download, unpack, import the app, warm it up) and then saves Python's whole
// memory plus the files it was started from; the next visit restores both and
// answers the page's first request without importing anything.
//
// What a snapshot cannot hold, and how each is made to match:
// - compiled extension modules (e.g. pydantic-core's .so) live partly in the
//   wasm function table, which the snapshot does not contain. Every one in the
//   packages archives is loaded before Python starts, both when the snapshot
//   is made and when it is restored, so each lands at the same table slots
//   and memory addresses;
// - the filesystem lives in JS: the files under Python's site-packages and the
//   app folder are saved as one blob and written back (without copying) before
//   Python resumes; files Python held open are opened again at the same fds;
// - the wasm memory must be as large as the snapshot before it is restored.
// A snapshot is used only by the same build, in the same browser (its function
// table differs between engines and versions). A restore that fails, or finds
// a function table of another size than the snapshot's, deletes the snapshot
// and the boot starts afresh; so does a resumed Python that fails later.

/**
 * @typedef {object} Saved  a snapshot as made, or as read back (then its bytes arrive later)
 * @property {SavedIndex} index
 * @property {Uint8Array | Blob | Promise<Blob>} memory  from pyodide.makeMemorySnapshot(): Pyodide's
 *   header (`index.memoryHeader` bytes), then the wasm memory; as kept, only its parts that are
 *   not all zeros (see asKept)
 * @property {Blob | Promise<Blob> | (() => Blob)} data  the saved files' bytes, end to end; as
 *   captured, a function that makes them one Blob (see capture)
 *
 * @typedef {object} SavedIndex
 * @property {string} key  the build and browser the snapshot belongs to
 * @property {number} memorySize  bytes in memory
 * @property {number} memoryHeader  bytes of Pyodide's header at the start of memory
 * @property {[number, number][]} [memoryParts]  where the parts of the wasm memory kept in memory
 *   start and end, in order; the rest of it is zeros (without them, memory holds all of it)
 * @property {string[]} dirs  every folder to make, parents first
 * @property {[string, number, number, number][]} files  path, offset in data, size, mtime (ms)
 * @property {[number, string, number, number][]} open  fd, path, flags, position
 * @property {string} cwd
 * @property {string[]} dynlibs  the libraries loaded before Python started, in order
 * @property {number} tableSize  slots in the wasm function table; a restore must find the same
 * @property {number[]} [timeZone]  where the C library keeps the local time zone (see watchTimeZone)
 * @property {string[]} [readAhead]  the modules Python imported soon after it started, on the visit
 *   that saved the snapshot and on those that resumed from it (those the page's first callbacks
 *   import, say): a restore reads their files ahead too (see readAhead, openedSince)
 *
 * @typedef {object} SnapshotStore  where snapshots are kept (Cache Storage in the browser)
 * @property {(key: string) => Promise<Saved | undefined>} get  the snapshot saved under `key`, if any
 * @property {(key: string) => Promise<boolean>} [has]  whether one is saved under `key`
 * @property {(saved: Saved) => Promise<void>} put
 * @property {() => Promise<void>} delete
 * @property {(index: SavedIndex) => Promise<void>} [putIndex]  replace the index of the one kept
 * @property {() => Promise<void>} [refuseShipped]  marks the build's shipped snapshot as not fitting
 *   this browser (`webdash build --snapshot`): it is not tried again
 * @property {() => Promise<boolean>} [refusedShipped]  whether it was marked so
 */

/**
 * The snapshot's key: snapshots are only valid for one build in one browser.
 * @param {string} buildId
 */
export function snapshotKey(buildId) {
  return `${buildId} ${globalThis.navigator?.userAgent ?? "unknown"}`;
}

/**
 * Load the libraries at `paths` (already in the filesystem) in order, as
 * Pyodide loads a package's libraries; Python's later import finds each one loaded.
 * @param {any} Module
 * @param {string[]} paths
 * @param {string[]} loaded  filled with the paths of the ones loaded, as they load
 * @param {Map<string, Promise<WebAssembly.Module | undefined>>} [compiled]  libraries compiled
 *   ahead (see compileAhead): those are only instantiated here
 */
async function preloadDynlibs(Module, paths, loaded, compiled) {
  const FS = Module.FS;
  const modules = await Promise.all(paths.map((path) => compiled?.get(path)));
  paths.forEach((path, i) => {
    const dir = path.slice(0, path.lastIndexOf("/"));
    // Adds its own run dependency at once, so Python waits for the library. Emscripten takes a
    // compiled module where it takes the file's bytes.
    FS.createPreloadedFile(dir, path.slice(dir.length + 1), modules[i] ?? FS.readFile(path), true, true,
      () => loaded.push(path), (/** @type {any} */ error) => console.warn(`webdash: could not preload ${path}:`, error),
      true /* the file is in place */, true);
  });
}

/**
 * Start compiling the libraries at `paths` whose bytes are being read ahead, in the background
 * (on another core), while Pyodide starts: a restore then only instantiates them. Compiled when
 * emscripten loads them, one after another on the worker, apps/sales' (pydantic-core's, 4.7 MB,
 * and charset-normalizer's) held the restore up by ~60-90 ms.
 * @param {Map<string, Promise<Uint8Array>>} ahead  see readAhead
 * @param {string[]} paths
 * @returns {Map<string, Promise<WebAssembly.Module | undefined>>}  undefined for one that does not
 *   compile: it is loaded from its bytes, and fails there with emscripten's error
 */
export function compileAhead(ahead, paths) {
  const compiled = new Map();
  for (const path of paths) {
    const bytes = ahead.get(path);
    if (bytes) compiled.set(path, bytes.then((b) => WebAssembly.compile(b)).catch(() => undefined));
  }
  return compiled;
}

/** Where Pyodide puts its standard library (python314.zip) at every start. */
const STDLIB_ZIP = /^\/lib\/python\d+\.zip$/;

/**
 * Save Python as it is now, with the files under `dirs`. Returns undefined,
 * with the reason logged, when it cannot be resumed later.
 * @param {any} pyodide  made with loadPyodide({_makeSnapshot: true})
 * @param {string} key
 * @param {string[]} dirs
 * @param {string[]} preloaded  the libraries loaded before Python started
 * @returns {Saved | undefined}
 */
export function capture(pyodide, key, dirs, preloaded) {
  const loaded = Object.keys(pyodide._module.LDSO.loadedLibsByName).filter((name) => name !== "__main__");
  const late = loaded.filter((name) => !preloaded.includes(name));
  if (late.length) {
    console.info(`webdash: no snapshot: ${late.join(", ")} loaded after Python started.`);
    return undefined;
  }
  const FS = pyodide.FS;
  const openStreams = () => FS.streams.filter((/** @type {any} */ stream) => stream && stream.fd > 2);
  // A restore opens the files Python holds open again: those saved here, and Pyodide's standard
  // library. Garbage may hold another file open (a temporary file, since deleted): only then is
  // it collected first. A full collection takes ~70 ms on a first visit; the few hundred
  // unreachable objects it finds otherwise stay, frozen with the rest of the app's boot.
  const reopens = (/** @type {string} */ path) => STDLIB_ZIP.test(path) || dirs.some((dir) => path.startsWith(dir + "/"));
  if (!openStreams().every((/** @type {any} */ stream) => reopens(stream.path))) {
    // The app's boot froze what it made (webdash._worker.boot), garbage included: thawed to be collected.
    pyodide.runPython("import gc; gc.unfreeze(); gc.collect(); gc.freeze()");
  }
  /** @type {SavedIndex["open"]} */
  const open = openStreams().map((/** @type {any} */ s) => [s.fd, s.path, s.flags, s.position]);
  const memory = pyodide.makeMemorySnapshot();
  /** @type {SavedIndex["files"]} */
  const files = [];
  /** @type {string[]} */
  const folders = [];
  /** @type {Uint8Array[]} */
  const parts = [];
  /** Each file's node, and where its bytes are in `parts`. */
  const nodes = new Map();
  let size = 0;
  const { MEMFS } = FS.filesystems;
  /**
   * A folder's entries and their nodes. MEMFS keeps them on the folder's node: read from there, not
   * looked up path by path from the root (~30 ms less for the ~2,600 files of a Dash app's packages).
   * @param {string} dir @param {any} node
   * @returns {[string, any][]}
   */
  const entries = (dir, node) =>
    node.node_ops === MEMFS.ops_table.dir.node
      ? Object.entries(node.contents).map(([name, child]) => [name, child.mounted ? FS.lookupPath(`${dir}/${name}`).node : child])
      : FS.readdir(dir)
          .filter((/** @type {string} */ name) => name !== "." && name !== "..")
          .map((/** @type {string} */ name) => [name, FS.lookupPath(`${dir}/${name}`).node]);
  const walk = (/** @type {string} */ dir, /** @type {any} */ folder) => {
    for (const [name, node] of entries(dir, folder)) {
      const path = `${dir}/${name}`;
      if (FS.isDir(node.mode)) {
        folders.push(path);
        walk(path, node);
      } else if (FS.isFile(node.mode)) {
        // A view on the node's own bytes (see keptUntilWritten).
        const bytes = node.contents ? node.contents.subarray(0, node.usedBytes) : new Uint8Array(0);
        files.push([path, size, bytes.byteLength, node.mtime]);
        nodes.set(node, parts.length);
        parts.push(bytes);
        size += bytes.byteLength;
      }
    }
  };
  for (const dir of dirs) {
    // The root's ancestors first, so that a restore can make every folder in order.
    const names = FS.analyzePath(dir).path.split("/").slice(1);
    folders.push(...names.map((_, i) => "/" + names.slice(0, i + 1).join("/")));
    walk(dir, FS.lookupPath(dir).node);
  }
  const data = keptUntilWritten(MEMFS, nodes, parts);
  const index = {
    key,
    memorySize: memory.byteLength,
    // Pyodide's snapshot is its header, then a copy of the whole wasm memory.
    memoryHeader: memory.byteLength - pyodide._module.HEAP8.byteLength,
    dynlibs: preloaded,
    tableSize: pyodide._module.wasmTable.length,
    timeZone: pyodide._module.webdashTimeZone,
    dirs: [...new Set(folders)],
    files,
    open,
    cwd: FS.cwd(),
  };
  return { index, memory, data };
}

/**
 * The captured files' bytes, end to end, as they were at capture: each file's stays a view on the
 * file's own bytes until something writes to the file, and is copied just before that write.
 * Copying all of them at capture (~44 MB for a Dash app's packages) held up a first visit's page
 * by ~40 ms; the copy is made once the snapshot is stored, with the app quiet.
 * MEMFS changes a file's bytes in place only through its streams' write (msync too goes through
 * it); truncating or replacing a file gives it new bytes and leaves the old ones as they were.
 * @param {any} MEMFS
 * @param {Map<any, number>} nodes  each file's node, and where its bytes are in `parts`
 * @param {Uint8Array[]} parts
 * @returns {() => Blob}  the bytes as one Blob; from then on, writes are no longer watched
 */
function keptUntilWritten(MEMFS, nodes, parts) {
  const ops = MEMFS.ops_table.file.stream;
  const write = ops.write;
  ops.write = function (/** @type {any} */ stream, /** @type {any[]} */ ...rest) {
    const at = nodes.get(stream.node);
    if (at !== undefined) {
      parts[at] = parts[at].slice();
      nodes.delete(stream.node);
    }
    return write.call(this, stream, ...rest);
  };
  return () => {
    ops.write = write;
    return new Blob(parts);
  };
}

/** The wasm memory's page: the unit in which its zeros are left out of a kept snapshot. */
const WASM_PAGE = 65536;

/**
 * `saved` as it is kept: its files' bytes as one Blob, and its wasm memory without the pages that
 * are all zeros (a quarter of a booted Dash app's 65 MB, mostly in a few long runs), so that a
 * restore reads and copies that much less while the module is made. A snapshot kept so already
 * comes back as it is.
 * @param {Saved} saved
 * @returns {Saved}
 */
export function asKept(saved) {
  if (typeof saved.data === "function") saved = { ...saved, data: saved.data() };
  const memory = saved.memory;
  if (saved.index.memoryParts || !(memory instanceof Uint8Array)) return saved;
  const heap = memory.subarray(saved.index.memoryHeader);
  /** @type {[number, number][]} */
  const parts = [];
  for (let page = 0; page < heap.length; page += WASM_PAGE) {
    const end = Math.min(page + WASM_PAGE, heap.length);
    if (allZeros(heap, page, end)) continue;
    const last = parts.at(-1);
    if (last?.[1] === page) last[1] = end;
    else parts.push([page, end]);
  }
  const kept = [memory.subarray(0, saved.index.memoryHeader), ...parts.map(([start, end]) => heap.subarray(start, end))];
  return { ...saved, index: { ...saved.index, memoryParts: parts }, memory: new Blob(kept) };
}

/** Whether `bytes` holds only zeros from `start` to `end`. @param {Uint8Array} bytes @param {number} start @param {number} end */
function allZeros(bytes, start, end) {
  // Four bytes at a time where they line up (the wasm memory's pages do, after Pyodide's header).
  const words = (bytes.byteOffset + start) % 4 === 0 && (end - start) % 4 === 0;
  const view = words ? new Uint32Array(bytes.buffer, bytes.byteOffset + start, (end - start) / 4) : bytes.subarray(start, end);
  for (let i = 0; i < view.length; i++) if (view[i] !== 0) return false;
  return true;
}

/**
 * Write a snapshot's wasm memory (`heap`: what its memory holds after Pyodide's header) into the
 * module made to restore it: the parts kept, and zeros between them, where the module's own start
 * may have written.
 * @param {Int8Array} HEAP8  the module's memory
 * @param {Uint8Array} heap
 * @param {SavedIndex} index
 */
export function writeMemory(HEAP8, heap, { memorySize, memoryHeader, memoryParts }) {
  const size = memorySize - memoryHeader;
  const parts = memoryParts ?? [[0, size]];
  const kept = parts.reduce((sum, [start, end]) => sum + end - start, 0);
  if (heap.length !== kept) throw new Error(`The snapshot's memory has ${heap.length} bytes, its index says ${kept}.`);
  let at = 0;
  let read = 0;
  for (const [start, end] of parts) {
    HEAP8.fill(0, at, start);
    HEAP8.set(heap.subarray(read, read + end - start), start);
    read += end - start;
    at = end;
  }
  HEAP8.fill(0, at, size);
}

/**
 * @typedef {object} Files  files to put in place before Python starts
 * @property {[string, number, number, number][]} files  path, offset in data, size, mtime (ms)
 * @property {string[]} [dirs]  folders to make first (else made as needed)
 * @property {Uint8Array | Blob} data
 * @property {Map<string, Promise<Uint8Array>>} [ahead]  some files' bytes, being read from a Blob
 *   `data` in the background (see readAhead)
 */

/**
 * The emscripten pre-run step: the wasm memory grown to `memorySize`, `files`
 * put in place once they arrive, then the extension modules among them loaded
 * (in order: a snapshot needs them at the same table slots and addresses).
 * @param {any} Module
 * @param {Promise<Files[]>} files
 * @param {(placed: Files[]) => string[]} dynlibs  absolute paths of the libraries to load
 * @param {number} [memorySize]
 * @param {Promise<Map<string, Promise<WebAssembly.Module | undefined>> | undefined>} [compiled]
 *   libraries being compiled ahead (see compileAhead)
 * @returns {{placed: Promise<void>, loaded: () => string[]}}  the libraries loaded so far
 */
export function beforeStart(Module, files, dynlibs, memorySize = 0, compiled) {
  if (Module.HEAP8.byteLength < memorySize) Module.growMemory(memorySize);
  Module.addRunDependency("webdash-files");
  /** @type {string[]} */
  const loaded = [];
  const placed = files.then(async (all) => {
    for (const wanted of all) await placeFiles(Module.FS, wanted);
    await preloadDynlibs(Module, dynlibs(all), loaded, await compiled);
  });
  // Python starts either way; the caller checks `placed` once loadPyodide returns.
  placed.catch(() => {}).finally(() => Module.removeRunDependency("webdash-files"));
  return { placed, loaded: () => loaded };
}

/**
 * Put `files` into the in-memory filesystem. Each becomes a node whose bytes
 * are a view on `data` (writing thousands of files one by one through
 * FS.writeFile costs ten times as long). A Blob is read file by file on first
 * use where a worker can read synchronously; elsewhere all of it now.
 * @param {any} FS
 * @param {Files} wanted
 */
export async function placeFiles(FS, { files, dirs, data, ahead }) {
  const lazy = data instanceof Blob && READS_ON_FIRST_USE;
  const bytes = data instanceof Blob ? (lazy ? undefined : new Uint8Array(await data.arrayBuffer())) : data;
  const folder = folders(FS);
  for (const dir of dirs ?? []) folder(dir);
  const { MEMFS } = FS.filesystems;
  for (const [path, offset, size, mtime] of files) {
    const cut = path.lastIndexOf("/");
    const node = MEMFS.createNode(folder(path.slice(0, cut)), path.slice(cut + 1), 0o100644, 0);
    if (bytes) setContents(node, bytes.subarray(offset, offset + size));
    else readOnFirstUse(node, path, /** @type {Blob} */ (data), offset, size, ahead?.get(path));
    node.usedBytes = size;
    node.atime = node.mtime = node.ctime = mtime;
  }
}

/**
 * The node of the folder at an absolute path, made as `FS.mkdir` makes one where there is none.
 * Each is looked up once, from its parent's node: `FS.mkdir` and `FS.analyzePath` resolve the
 * whole path from the root each time, which cost a restore ~40 ms for the ~560 folders of a Dash
 * app's packages.
 * @param {any} FS
 * @returns {(path: string) => any}
 */
function folders(FS) {
  const known = new Map([["", FS.root]]);
  const folder = (/** @type {string} */ path) => {
    let node = known.get(path);
    if (node) return node;
    const cut = path.lastIndexOf("/");
    const parent = folder(path.slice(0, cut));
    const name = path.slice(cut + 1);
    try {
      node = FS.lookupNode(parent, name);
    } catch (error) {
      if (/** @type {any} */ (error)?.errno !== 44 /* ENOENT */) throw error;
      // What FS.mkdir(path) does once it has found the parent: a folder open to all (0o777).
      node = parent.node_ops.mknod(parent, name, 0o40777, 0);
    }
    // A folder something is mounted on stands for the root of what is mounted there.
    if (node.mounted) node = node.mounted.root;
    if (!FS.isDir(node.mode)) throw new FS.ErrnoError(54 /* ENOTDIR */);
    known.set(path, node);
    return node;
  };
  return folder;
}

/** Whether files can be read on first use: only where a worker can read a Blob synchronously. */
export const READS_ON_FIRST_USE = typeof FileReaderSync !== "undefined";

/**
 * Make Pyodide's standard library zip (written empty at start) read from `blob` on first use, or
 * read ahead if `index` says earlier visits needed it soon after they started.
 * @param {any} FS
 * @param {Blob} blob
 * @param {SavedIndex} index
 */
export function stdlibOnFirstUse(FS, blob, index) {
  const name = FS.readdir("/lib").find((/** @type {string} */ name) => STDLIB_ZIP.test("/lib/" + name));
  if (!name) throw new Error("Pyodide's standard library is not at /lib/python*.zip.");
  const node = FS.lookupPath("/lib/" + name).node;
  const early = index.readAhead?.some((path) => STDLIB_ZIP.test(path)) ? blob.arrayBuffer().then((bytes) => new Uint8Array(bytes)) : undefined;
  readOnFirstUse(node, "/lib/" + name, blob, 0, blob.size, early);
  node.usedBytes = blob.size;
}

/**
 * Start reading, in the background, the files of `data` that a resumed Python reads at once: the
 * metadata of every installed distribution (Pyodide lists them as it starts), the extension
 * modules (loaded before it starts), and those it opened soon after it started on earlier visits
 * (`also`). Read on first use, one by one, they keep Python waiting (~5 ms each, in a callback).
 * @param {Files["files"]} files
 * @param {Blob} data
 * @param {string[]} [also]
 * @returns {Map<string, Promise<Uint8Array>>}
 */
export function readAhead(files, data, also = []) {
  const ahead = new Map();
  const wanted = new Set(also);
  for (const [path, offset, size] of files) {
    if (path.endsWith(".so") || /\.dist-info\/METADATA$/.test(path) || wanted.has(path)) {
      ahead.set(path, data.slice(offset, offset + size).arrayBuffer().then((bytes) => new Uint8Array(bytes)));
    }
  }
  return ahead;
}

/** @param {any} node @param {Uint8Array} bytes */
function setContents(node, bytes) {
  Object.defineProperty(node, "contents", { value: bytes, writable: true, configurable: true, enumerable: true });
}

/**
 * Whether a file Python opened soon after it started is worth reading ahead on the next restore:
 * the standard library's zip, or a module among the snapshot's files (a resumed Python imports the
 * same ones again); not a file it served (the page's scripts and assets, which the service worker
 * keeps once they are served).
 * @param {string} path
 * @param {(path: string) => boolean} saved  whether the snapshot holds the file
 */
function worthReadingAhead(path, saved) {
  return STDLIB_ZIP.test(path) || (/\.pyc?$/.test(path) && saved(path));
}

/**
 * Record the modules' files under `dirs`, and the standard library's zip, that Python opens from
 * now on (a boot that has just saved its snapshot: they are what a restore should read ahead).
 * @param {any} FS
 * @param {string[]} dirs
 * @returns {() => string[]}  stops recording; the paths opened, in order
 */
export function openedSince(FS, dirs) {
  const open = FS.open;
  /** @type {Set<string>} */
  const opened = new Set();
  FS.open = (/** @type {any[]} */ ...args) => {
    const stream = open.apply(FS, args);
    const path = String(stream.path);
    if (worthReadingAhead(path, () => dirs.some((dir) => path.startsWith(dir + "/")))) opened.add(path);
    return stream;
  };
  return () => {
    FS.open = open;
    return [...opened];
  };
}

/**
 * `index` with the files a resumed Python has read on first use so far added to those it reads
 * ahead; undefined when there are none to add.
 * @param {SavedIndex} index
 * @returns {SavedIndex | undefined}
 */
export function learnReadAhead(index) {
  const known = new Set(index.readAhead ?? []);
  const saved = new Set(index.files.map(([path]) => path));
  const late = readLate.filter((path) => !known.has(path) && worthReadingAhead(path, (file) => saved.has(file)));
  return late.length ? { ...index, readAhead: [...known, ...new Set(late)] } : undefined;
}

/**
 * The paths of the files read on first use so far, in order (diagnostics: `webdash.readLate()`).
 * @type {string[]}
 */
const readLate = [];

/** @returns {string[]} */
export function filesReadLate() {
  return [...readLate];
}

/**
 * A file node whose bytes are read from `blob` the first time anything looks
 * at them (slicing the blob is left until then: it is not free either), unless
 * `early` brings them first.
 * @param {any} node  a MEMFS file node
 * @param {string} path
 * @param {Blob} blob
 * @param {number} offset
 * @param {number} size
 * @param {Promise<Uint8Array>} [early]  the same bytes, being read in the background
 */
function readOnFirstUse(node, path, blob, offset, size, early) {
  let unread = true;
  const settle = (/** @type {Uint8Array} */ bytes) => {
    unread = false;
    setContents(node, bytes);
  };
  Object.defineProperty(node, "contents", {
    configurable: true,
    enumerable: true,
    get() {
      readLate.push(path);
      const bytes = new Uint8Array(new FileReaderSync().readAsArrayBuffer(blob.slice(offset, offset + size)));
      settle(bytes);
      return bytes;
    },
    set: settle,
  });
  early?.then((bytes) => unread && settle(bytes), () => {});
}

/**
 * Throw unless the snapshot fits `Module`, the module made to restore it (with its libraries
 * loaded): its function table must have the snapshot's size.
 * @param {any} Module
 * @param {Saved} saved
 */
export function checkFits(Module, saved) {
  const table = Module.wasmTable.length;
  if (table !== saved.index.tableSize) {
    throw new Error(`The function table has ${table} slots, the snapshot's had ${saved.index.tableSize}.`);
  }
}

/**
 * Record where the C library keeps the local time zone. Emscripten fills it from JavaScript's Date
 * once, when Python first asks (its tzset), so a snapshot holds the time zone of the machine and
 * the moment it was made at; a restore fills it again (refillTimeZone) at the addresses recorded
 * here, which Python's time.tzset() then reads. Wraps the module's import for it.
 * @param {any} settings  the emscripten module's settings, before it is made
 */
export function watchTimeZone(settings) {
  const instantiate = settings.instantiateWasm;
  if (typeof instantiate !== "function") return;
  settings.instantiateWasm = (/** @type {any} */ imports, /** @type {Function} */ done) => {
    const tzset = imports.env?._tzset_js;
    if (typeof tzset === "function") {
      imports.env._tzset_js = (/** @type {number[]} */ ...pointers) => {
        settings.webdashTimeZone = pointers;
        return tzset(...pointers);
      };
    }
    return instantiate(imports, done);
  };
}

/**
 * Fill the C library's local time zone again, from this browser's Date, after a restore.
 * @param {any} Module
 * @param {Saved} saved
 */
export function refillTimeZone(Module, saved) {
  const pointers = saved.index.timeZone;
  if (pointers && typeof Module.__tzset_js === "function") Module.__tzset_js(...pointers);
}

/**
 * After the restore: set the working folder and the open files as they were.
 * @param {any} pyodide
 * @param {Saved} saved
 */
export function resumeState(pyodide, saved) {
  const FS = pyodide.FS;
  FS.chdir(saved.index.cwd);
  for (const [fd, path, flags, position] of saved.index.open) {
    const stream = FS.open(path, flags & ~0o1000 /* never O_TRUNC again */);
    if (stream.fd !== fd) {
      FS.dupStream(stream, fd);
      FS.close(stream);
    }
    FS.getStream(fd).position = position;
  }
}

/**
 * The cache a build's service worker keeps the build's own files in (service_worker.js, APP_CACHE),
 * and removes with the build: the snapshot and the pages shown ahead of Python go there too.
 * @param {string} root  the site's root URL
 * @param {string} buildId
 */
export function buildCacheName(root, buildId) {
  return `webdash-app ${root} ${buildId}`;
}

/**
 * A file of the build as the service worker keeps it (service_worker.js, SHARED_CACHE: keyed by
 * URL and sha256), as a Blob read only as it is used; undefined when it is not kept. Through the
 * service worker, the whole file would be read at once.
 * @param {string} url
 * @param {string} sha256
 * @returns {Promise<Blob | undefined>}
 */
export async function keptFile(url, sha256) {
  const response = await (await caches.open("webdash-shared")).match(`${url}?sha256=${sha256}`);
  return response?.blob();
}

/**
 * Where a site's snapshot is kept in its build's cache (a URL prefix nothing is fetched from).
 * @param {string} root  the site's root URL
 */
export function snapshotBase(root) {
  return root + "_webdash/snapshot/";
}

/**
 * Snapshots kept in Cache Storage, in the build's own cache (so the service
 * worker removes them with the build).
 * @param {string} cacheName
 * @param {string} base  a URL prefix the entries are stored under
 * @returns {SnapshotStore}
 */
export function cacheStore(cacheName, base) {
  const urls = { memory: base + "memory", data: base + "files", index: base + "index.json" };
  const refused = base + "shipped-refused";
  return {
    /** Whether a snapshot is saved under `key` (its bytes are not read). @param {string} key */
    async has(key) {
      const index = await (await caches.open(cacheName)).match(urls.index);
      return index !== undefined && (await index.json()).key === key;
    },
    async get(key) {
      const cache = await caches.open(cacheName);
      // The index is written last: without it the other two are incomplete.
      const index = await cache.match(urls.index);
      const parsed = index && (await index.json());
      if (parsed?.key !== key) return undefined;
      /** @param {string} url */
      const entry = async (url) => {
        const response = await cache.match(url);
        if (!response) throw new Error(`The snapshot lost ${url}.`);
        return response;
      };
      return {
        index: parsed,
        // Both stay Blobs: the memory is read in two parts, and a worker reads each file only
        // when Python opens it.
        memory: entry(urls.memory).then((response) => response.blob()),
        data: entry(urls.data).then((response) => response.blob()),
      };
    },
    async put(saved) {
      const cache = await caches.open(cacheName);
      await cache.put(urls.memory, new Response(saved.memory));
      await cache.put(urls.data, new Response(saved.data));
      await cache.put(urls.index, Response.json(saved.index));
    },
    async putIndex(index) {
      await (await caches.open(cacheName)).put(urls.index, Response.json(index));
    },
    async delete() {
      const cache = await caches.open(cacheName);
      await Promise.all(Object.values(urls).map((url) => cache.delete(url)));
    },
    async refuseShipped() {
      await (await caches.open(cacheName)).put(refused, new Response(""));
    },
    async refusedShipped() {
      return (await (await caches.open(cacheName)).match(refused)) !== undefined;
    },
  };
}
