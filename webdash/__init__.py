"""webdash: unmodified Plotly Dash apps, running entirely in the browser."""

from __future__ import annotations

from typing import Any

from ._versions import __version__

__all__ = [
    "AppError",
    "BackgroundCallbackManager",
    "BuildError",
    "BuildResult",
    "__version__",
    "build",
    "load_app",
]

# Re-exported lazily: the Pyodide worker imports this package too, and must not
# pull in the build's dependencies (pip, packaging) to do so.
_LAZY = {
    "build": "._build",
    "BuildError": "._build",
    "BuildResult": "._build",
    "load_app": "._appdir",
    "AppError": "._appdir",
    "BackgroundCallbackManager": "._background",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'webdash' has no attribute {name!r}")
