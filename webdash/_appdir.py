"""Finding and importing a Dash app directory, the same way on CPython and in Pyodide.

An app directory holds ``app.py`` defining a module-level ``app = Dash(...)``,
and optionally ``assets/``, ``pages/``, data files and ``requirements.txt``.
``app.py`` is imported as the module ``app`` (as ``gunicorn app:server`` would),
so its ``if __name__ == "__main__":`` block does not run.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dash import Dash

APP_FILE = "app.py"
APP_MODULE = "app"
#: Optional metadata for galleries: ``title``, ``description``, ``thumbnail`` (a path in the app).
META_FILE = "webdash.toml"
THUMBNAIL_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif")
#: Modules an app directory may define that must be imported afresh with it.
_APP_PACKAGES = ("pages",)


class AppError(Exception):
    """The app directory cannot be loaded; the message says why and what to do."""


def check_app_dir(app_dir: str | os.PathLike[str]) -> Path:
    """Return ``app_dir`` as a Path if it looks like a Dash app, else raise :class:`AppError`."""
    path = Path(app_dir)
    if not path.is_dir():
        raise AppError(f"{path} is not a directory. Point webdash at the folder that holds app.py.")
    if not (path / APP_FILE).is_file():
        raise AppError(
            f"{path} has no {APP_FILE}. A webdash app is a folder whose {APP_FILE} defines "
            "a module-level `app = Dash(__name__)`."
        )
    return path.resolve()


@dataclass(frozen=True)
class AppInfo:
    """How a gallery lists an app."""

    name: str  # the folder's name, which is also its URL path in a gallery
    title: str
    description: str
    thumbnail: Path | None


def describe_app(app_dir: Path) -> AppInfo:
    """An app's title, description and thumbnail, without importing it.

    ``webdash.toml`` wins where it says something; otherwise the title is the
    ``title=`` given to ``Dash(...)`` in ``app.py`` (else the folder's name), the
    description is the first line of ``app.py``'s docstring, and the thumbnail is
    a ``thumbnail.png`` (or .jpg, .svg, …) in the app folder or its ``assets/``.
    """
    import tomllib  # here: the browser's worker imports this module too, and never reads the file

    meta: dict[str, object] = {}
    meta_file = app_dir / META_FILE
    if meta_file.is_file():
        try:
            meta = tomllib.loads(meta_file.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise AppError(f"{meta_file}: {exc}. Fix the file or delete it.") from exc
        unknown = set(meta) - {"title", "description", "thumbnail"}
        if unknown or not all(isinstance(v, str) for v in meta.values()):
            raise AppError(
                f"{meta_file}: only the text keys title, description and thumbnail are understood "
                f"(found {', '.join(sorted(meta))})."
            )
    module = ast.parse((app_dir / APP_FILE).read_bytes())
    docstring = (ast.get_docstring(module) or "").strip()
    title = str(meta.get("title") or _dash_title(module) or app_dir.name.replace("_", " ").capitalize())
    description = str(meta.get("description") or docstring.split("\n", 1)[0])
    thumbnail = None
    if meta.get("thumbnail"):
        thumbnail = app_dir / str(meta["thumbnail"])
        if not thumbnail.is_file() or thumbnail.suffix.lower() not in THUMBNAIL_SUFFIXES:
            raise AppError(
                f"{meta_file}: thumbnail {meta['thumbnail']!r} is not an image file in the app folder "
                f"({', '.join(THUMBNAIL_SUFFIXES)})."
            )
    else:
        candidates = [d / f"thumbnail{s}" for d in (app_dir, app_dir / "assets") for s in THUMBNAIL_SUFFIXES]
        thumbnail = next((c for c in candidates if c.is_file()), None)
    return AppInfo(app_dir.name, title, description, thumbnail)


def _dash_title(module: ast.Module) -> str | None:
    """The string literal passed as ``title=`` to ``Dash(...)``, if there is one."""
    for node in ast.walk(module):
        callee = getattr(node, "func", None)
        if isinstance(node, ast.Call) and getattr(callee, "id", getattr(callee, "attr", None)) == "Dash":
            for keyword in node.keywords:
                if keyword.arg == "title" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def load_app(app_dir: str | os.PathLike[str]) -> Dash:
    """Import ``app.py`` from ``app_dir`` and return its ``app``.

    The working directory becomes ``app_dir`` and it goes first on ``sys.path``,
    as when a user runs ``python app.py`` from that folder, so relative data
    paths and sibling imports behave the same.
    """
    path = check_app_dir(app_dir)
    os.chdir(path)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    _forget_app_modules()
    try:
        module = importlib.import_module(APP_MODULE)
    except BaseException as exc:  # an app may raise anything, SystemExit included
        raise AppError(
            f"{APP_FILE} raised {type(exc).__name__} while being imported: {exc}\n\n" + _user_traceback(exc)
        ) from exc

    from dash import Dash

    app = getattr(module, "app", None)
    if app is None:
        names = sorted(n for n, v in vars(module).items() if isinstance(v, Dash))
        hint = f" It defines a Dash app named {names[0]!r}: rename it to `app`." if names else ""
        raise AppError(f"{APP_FILE} defines no module-level `app`.{hint}")
    if not isinstance(app, Dash):
        raise AppError(f"`app` in {APP_FILE} is a {type(app).__name__}, not a dash.Dash.")
    return app


def _forget_app_modules() -> None:
    """Drop a previously imported app so that loading another one starts clean."""
    for name in list(sys.modules):
        if name == APP_MODULE or name.split(".")[0] in _APP_PACKAGES:
            del sys.modules[name]


def _user_traceback(exc: BaseException) -> str:
    """The traceback from the app's own frames on (webdash's frames say nothing useful)."""
    frames = traceback.extract_tb(exc.__traceback__)
    start = next((i for i, f in enumerate(frames) if f.filename.endswith(APP_FILE)), 0)
    lines = traceback.format_list(frames[start:])
    lines += traceback.format_exception_only(type(exc), exc)
    return "Traceback (most recent call last):\n" + "".join(lines)
