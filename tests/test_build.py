"""webdash build: the site's files, lock and manifest, and the errors users can cause."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from webdash import _versions
from webdash._build import BuildError, build

from .conftest import DEMO_APPS, TEST_APPS


@pytest.fixture(scope="module")
def hello(served):
    return served.site_dir("hello")


def test_site_layout(hello):
    for path in ("index.html", "service_worker.js", "_webdash/lock.json", "_webdash/manifest.json",
                 "_webdash/app.zip", "_webdash/runtime.zip"):  # fmt: skip
        assert (hello / path).is_file(), path
    for name in ("loader.js", "worker.js", "python.js", "protocol.js"):
        assert (hello / "_webdash/bootstrap" / name).is_file()
    for name in _versions.PYODIDE_CORE_FILES:
        assert (hello / "_webdash/pyodide" / name).is_file()


def test_lock_pins_dash_and_browser_builds(hello):
    lock = json.loads((hello / "_webdash/lock.json").read_text())
    assert lock["python"] == _versions.PYTHON_FULL_VERSION
    packages = {p["name"].lower().replace("_", "-"): p for p in lock["packages"]}
    assert packages["dash"]["version"] == _versions.DASH_VERSION
    assert {"flask", "werkzeug", "plotly", "pydantic"} <= set(packages)
    # pydantic-core: PyPI's pyemscripten wheel; MarkupSafe: a pure wheel built from its sdist.
    assert packages["pydantic-core"]["file"].endswith(f"-{_versions.WHEEL_PLATFORM}.whl")
    assert packages["markupsafe"]["file"].endswith("-py3-none-any.whl")
    assert "setuptools" not in packages  # never imported by a running app
    for package in lock["packages"]:
        data = (hello / "_webdash/wheels" / package["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == package["sha256"]
        assert len(data) == package["size"]


def test_manifest_lists_every_file_with_its_hash(hello):
    manifest = json.loads((hello / "_webdash/manifest.json").read_text())
    assert manifest["pyodide"] == _versions.PYODIDE_VERSION
    on_disk = {p.relative_to(hello).as_posix() for p in hello.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"_webdash/manifest.json"}
    index = manifest["files"]["index.html"]
    assert index["sha256"] == hashlib.sha256((hello / "index.html").read_bytes()).hexdigest()


def test_app_zip_holds_the_app_unchanged(hello):
    with zipfile.ZipFile(hello / "_webdash/app.zip") as archive:
        names = set(archive.namelist())
        assert {"app.py", "assets/style.css"} <= names
        assert not [n for n in names if "__pycache__" in n]
        assert archive.read("app.py") == (DEMO_APPS / "hello/app.py").read_bytes()


def test_runtime_zip_holds_only_worker_modules(hello):
    with zipfile.ZipFile(hello / "_webdash/runtime.zip") as archive:
        names = set(archive.namelist())
    assert "webdash/_worker.py" in names
    assert "webdash/_cli.py" not in names


def test_missing_app_py(tmp_path):
    (tmp_path / "app").mkdir()
    with pytest.raises(BuildError, match=r"has no app\.py"):
        build(tmp_path / "app", tmp_path / "out")


def test_missing_directory(tmp_path):
    with pytest.raises(BuildError, match="is not a directory"):
        build(tmp_path / "nowhere", tmp_path / "out")


def test_syntax_error_names_file_and_line(tmp_path):
    with pytest.raises(BuildError, match=r"syntax_error/app.py:3: '\(' was never closed"):
        build(TEST_APPS / "syntax_error", tmp_path / "out")


def test_requirement_without_browser_build_is_named(tmp_path):
    with pytest.raises(BuildError, match=r"No browser build of: psutil") as info:
        build(TEST_APPS / "no_browser_build", tmp_path / "out")
    assert "requirements.txt" in str(info.value)


def test_refuses_to_overwrite_a_folder_that_is_not_a_site(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(BuildError, match="nothing was deleted"):
        build(TEST_APPS / "echo", out)
    assert (out / "notes.txt").read_text() == "keep me"
