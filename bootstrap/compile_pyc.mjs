// Run by `webdash build`, in Node (never shipped to a site): compiles every
// module of an unpacked packages folder to .pyc with the site's own Pyodide,
// so that the browser's Python imports them without compiling first.
// Usage: node compile_pyc.mjs <pyodide folder> <packages folder> [<path recorded as their source>]
//          [--without-docstrings <sub-folder>]...
// (site-packages by default; the standard library lives in /lib/python314.zip). The modules under
// each --without-docstrings folder are also compiled as `python -OO` would, to .opt-2.pyc files.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "without-docstrings": { type: "string", multiple: true, default: [] } },
});
const [pyodideDir, packagesDir, recordedDir] = positionals;
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/", stdout: () => {} });

// The folder is mounted where Python can write into it; the .pyc files record
// where the browser's Python finds the modules as their source path.
const mounted = "/webdash-packages";
pyodide.FS.mkdirTree(mounted);
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(packagesDir) }, mounted);
const recorded = recordedDir ?? pyodide.pyimport("sysconfig").get_path("purelib");
const { PycInvalidationMode } = pyodide.pyimport("py_compile");
const { compile_dir } = pyodide.pyimport("compileall");
// Unchecked-hash .pyc files stay valid whatever time the browser gives the unpacked .py files.
const options = { quiet: 2, invalidation_mode: PycInvalidationMode.UNCHECKED_HASH };
compile_dir.callKwargs(mounted, { ...options, ddir: recorded });
for (const folder of values["without-docstrings"]) {
  if (!pyodide.FS.analyzePath(`${mounted}/${folder}`).exists) continue;
  compile_dir.callKwargs(`${mounted}/${folder}`, { ...options, ddir: `${recorded}/${folder}`, optimize: 2 });
}
