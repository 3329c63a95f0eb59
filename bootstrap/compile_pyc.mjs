// Run by `webdash build`, in Node (never shipped to a site): compiles every
// module of an unpacked packages folder to .pyc with the site's own Pyodide,
// so that the browser's Python imports them without compiling first.
// Usage: node compile_pyc.mjs <pyodide folder> <packages folder> [<path recorded as their source>]
// (site-packages by default; the standard library lives in /lib/python314.zip).
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, packagesDir, recordedDir] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/", stdout: () => {} });

// The folder is mounted where Python can write into it; the .pyc files record
// where the browser's Python finds the modules as their source path.
const mounted = "/webdash-packages";
pyodide.FS.mkdirTree(mounted);
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(packagesDir) }, mounted);
const sitePackages = pyodide.pyimport("sysconfig").get_path("purelib");
const { PycInvalidationMode } = pyodide.pyimport("py_compile");
// Unchecked-hash .pyc files stay valid whatever time the browser gives the unpacked .py files.
pyodide.pyimport("compileall").compile_dir.callKwargs(mounted, {
  ddir: recordedDir ?? sitePackages,
  quiet: 2,
  invalidation_mode: PycInvalidationMode.UNCHECKED_HASH,
});
