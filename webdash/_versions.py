"""Every version webdash depends on, pinned in one place.

The build writes these into the site (``_webdash/manifest.json``) and
``webdash --version`` prints them.
"""

__version__ = "0.1.0"

#: The Pyodide core, from the npm registry (``npm pack pyodide@<version>``).
PYODIDE_VERSION = "314.0.7"
#: npm's ``dist.integrity`` for that tarball; a download that differs is rejected.
PYODIDE_INTEGRITY = (
    "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
)
#: The files of that tarball a site needs (the rest are docs and typings).
PYODIDE_CORE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)

#: The core files a site serves (the build reads the lock file; each app gets its own).
PYODIDE_SITE_FILES = tuple(name for name in PYODIDE_CORE_FILES if name != "pyodide-lock.json")
#: Where Pyodide's own package distribution (numpy, pandas, …) lives for that version.
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
#: The ABI of Pyodide's distribution, as its ``pyodide-lock.json`` names it.
PYODIDE_ABI = "2026_0"

#: The CPython inside that Pyodide, and the wheel platform tag it accepts.
PYTHON_VERSION = "3.14"
PYTHON_FULL_VERSION = "3.14.2"
WHEEL_PLATFORM = "pyemscripten_2026_0_wasm32"
WHEEL_ABI = "cp314"

#: The Dash every site is built with; the runtime relies on its internals
#: (component-suite fingerprints, ``DASH_REQUESTS_PATHNAME_PREFIX``).
DASH_VERSION = "4.4.1"


def describe() -> str:
    """One line naming every pinned version, for ``webdash --version``."""
    return (
        f"webdash {__version__} (Pyodide {PYODIDE_VERSION}, Python {PYTHON_FULL_VERSION}, "
        f"Dash {DASH_VERSION})"
    )
