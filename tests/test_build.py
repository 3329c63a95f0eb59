"""webdash build: the site's files, lock and manifest, galleries, and the errors users can cause."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

from webdash import _versions
from webdash._appdir import AppError, describe_app
from webdash._archive import TRIMMED, read_pack
from webdash._build import BOOTSTRAP_FILES, RUNTIME_MODULES, SELF, BuildError, build
from webdash._snapshot import url_path

from .conftest import DEMO_APPS, SUB_PATH, TEST_APPS


@pytest.fixture(scope="module")
def gallery(served) -> Path:
    return served.folder / SUB_PATH


@pytest.fixture(scope="module")
def hello(served) -> Path:
    return served.site_dir("hello")


def manifest_of(app_root: Path) -> dict:
    return json.loads((app_root / "_webdash/manifest.json").read_text())


def test_gallery_app_layout(gallery, hello):
    for path in ("index.html", "service_worker.js", "_webdash/lock.json", "_webdash/manifest.json",
                 "_webdash/app.zip"):  # fmt: skip
        assert (hello / path).is_file(), path
    # Shared files live once, at the gallery's top.
    assert not list((hello / "_webdash").glob("packages-*"))
    assert (gallery / "_webdash/runtime.zip").is_file()
    for name in BOOTSTRAP_FILES:
        assert (gallery / "_webdash/bootstrap" / name).is_file()
    for name in _versions.PYODIDE_SITE_FILES:
        assert (gallery / "_webdash/pyodide" / name).is_file()
    assert 'src="../_webdash/bootstrap/loader.js"' in (hello / "index.html").read_text()
    assert manifest_of(hello)["shared"] == "../_webdash/"
    # GitHub Pages serves the folders whose names start with "_" only with Jekyll off.
    assert (gallery / ".nojekyll").is_file()


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
    assert lock["pyodide"]["lock"]["packages"] == {}  # nothing from Pyodide's distribution
    assert all(len(p["sha256"]) == 64 for p in lock["packages"])


def test_packages_archive_is_trimmed_and_compiled(gallery, hello):
    (name,) = json.loads((hello / "_webdash/lock.json").read_text())["archives"]
    files = read_pack(gallery / "_webdash" / name)
    names = set(files)
    # Each module is there as its compiled .pyc, in place of its source.
    pyc = files["dash/__init__.pyc"]
    assert {"flask/app.pyc", "plotly/package_data/plotly.min.js"} <= names
    assert not [n for n in names if n.endswith(".py") or "__pycache__" in n]
    assert "dash/dash-renderer/build/dash_renderer.min.js" in names
    # Left out: dev bundles, source maps, plotly's Jupyter widget and extension.
    assert "dash/dash-renderer/build/dash_renderer.dev.js" not in names
    left_out = ("plotly/labextension/", "plotly-7.1.0.data/")
    assert not [n for n in names if n.endswith(".map") or n.startswith(left_out)]
    assert "plotly/package_data/widgetbundle.js" not in names
    # React's development builds and the DataTable's test page; the production builds stay.
    for version in ("18.3.1", "18.2.0", "16.14.0"):
        assert f"dash/deps/react-dom@{version}.js" not in names
        assert {f"dash/deps/react-dom@{version}.min.js", f"dash/deps/react@{version}.min.js"} <= names
    assert "dash/deps/polyfill@7.12.1.min.js" in names
    assert not {"dash/dash_table/commons.js", "dash/dash_table/demo.js"} & names
    assert {"dash/dash_table/bundle.js", "dash/dash_table/async-table.js"} <= names
    # A hash-based .pyc whose hash is never checked (flags = 0b01): there is no source to check against.
    assert pyc[2:4] == b"\r\n" and int.from_bytes(pyc[4:8], "little") == 1
    # plotly's figure classes lose their docstrings, and keep the property descriptions their error
    # messages quote; other modules keep their docstrings.
    assert b"Construct a new Bar object" not in files["plotly/graph_objs/_bar.pyc"]
    assert b"Sets the marker color" in files["plotly/graph_objs/bar/_marker.pyc"]
    assert b"Dash is a framework for building analytical web applications" in files["dash/dash.pyc"]


def test_dash_never_serves_a_trimmed_file():
    # Real Dash (this machine's, the version the sites pin): every path it registers for serving
    # from _dash-component-suites/, with each React version it offers.
    import dash
    from dash import _dash_renderer, html

    assert dash.__version__ == _versions.DASH_VERSION
    registered = set()
    for react in ("18.3.1", "18.2.0", "16.14.0"):
        _dash_renderer._set_react_version(react)
        app = dash.Dash(__name__)
        app.layout = html.Div()  # Dash registers the scripts of every library it has imported
        assert app.server.test_client().get("/").status_code == 200
        registered |= {
            f"{namespace}/{path}" for namespace, paths in app.registered_paths.items() for path in paths
        }
    _dash_renderer._set_react_version("18.3.1")
    assert {"dash/dash_table/async-table.js", "dash/deps/react-dom@16.14.0.min.js"} <= registered
    # (Source maps are registered too, for a browser's dev tools to ask for; pages never load them.)
    scripts = [p for p in registered if not p.endswith(".map")]
    assert [p for p in scripts if any(fnmatch(p, pattern) for pattern in TRIMMED)] == []


def test_manifest_lists_every_file_the_app_loads(hello):
    manifest = manifest_of(hello)
    assert manifest["pyodide"] == _versions.PYODIDE_VERSION
    lock = json.loads((hello / "_webdash/lock.json").read_text())
    expected = {"index.html", "_webdash/app.zip", "_webdash/lock.json", "../_webdash/runtime.zip"}
    expected |= {f"../_webdash/{name}" for name in lock["archives"]}
    expected |= {f"../_webdash/pyodide/{name}" for name in _versions.PYODIDE_SITE_FILES}
    expected |= {f"../_webdash/bootstrap/{name}" for name in BOOTSTRAP_FILES}
    assert set(manifest["files"]) == expected
    for path, entry in manifest["files"].items():
        data = (hello / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"]), path


def test_service_worker_knows_its_build(hello):
    manifest = manifest_of(hello)
    worker = (hello / "service_worker.js").read_text()
    assert f'const BUILD = {{"id": "{manifest["buildId"]}", "shared": "../_webdash/"}};' in worker
    assert "unbuilt" not in worker


def test_gallery_manifest_lists_every_file_of_every_app(gallery):
    files = json.loads((gallery / "_webdash/manifest.json").read_text())["files"]
    assert "hello/_webdash/app.zip" in files and "sales/_webdash/lock.json" in files
    assert "_webdash/runtime.zip" in files
    assert not [f for f in files if f.endswith(("service_worker.js", "manifest.json"))]


def test_gallery_index_lists_each_app(gallery):
    index = (gallery / "index.html").read_text()
    cards = re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', index)
    assert [href for href, _ in cards] == ["broken_import/", "hello/", "sales/"]
    hello, sales = cards[1][1], cards[2][1]
    assert "<h2>Hello, webdash</h2>" in hello  # Dash(title=...)
    assert "type a name, see a greeting" in hello  # the docstring's first line
    assert '<img src="_webdash/thumbnails/sales.svg"' in sales  # assets/thumbnail.svg
    assert (gallery / "_webdash/thumbnails/sales.svg").is_file()
    manifest = json.loads((gallery / "_webdash/manifest.json").read_text())
    assert [a["path"] for a in manifest["apps"]] == ["broken_import/", "hello/", "sales/"]


def test_app_zip_holds_the_app_unchanged(hello):
    with zipfile.ZipFile(hello / "_webdash/app.zip") as archive:
        names = set(archive.namelist())
        assert {"app.py", "assets/style.css"} <= names
        assert not [n for n in names if "__pycache__" in n]
        assert archive.read("app.py") == (DEMO_APPS / "hello/app.py").read_bytes()


def test_runtime_zip_holds_only_worker_modules_compiled(gallery):
    with zipfile.ZipFile(gallery / "_webdash/runtime.zip") as archive:
        names = set(archive.namelist())
    # Compiled at build time for the browser's Python, in place of their sources.
    assert names == {f"webdash/{module.removesuffix('.py')}.pyc" for module in RUNTIME_MODULES}


def test_single_app_site_keeps_shared_files_inside(served):
    root = served.site_dir("distribution_package")
    assert manifest_of(root)["shared"] == "_webdash/"
    assert 'src="_webdash/bootstrap/loader.js"' in (root / "index.html").read_text()
    lock = json.loads((root / "_webdash/lock.json").read_text())
    assert [(root / "_webdash" / name).is_file() for name in lock["archives"]] == [True]


def test_only_the_sites_own_origin(hello):
    assert [o["origin"] for o in manifest_of(hello)["origins"]] == [SELF]


# -- packages from Pyodide's distribution ------------------------------------------------------------
def test_mirror_packages_are_vendored_and_checked(served, mirror):
    root = served.site_dir("distribution_package")
    lock = json.loads((root / "_webdash/lock.json").read_text())
    from_pyodide = lock["pyodide"]["lock"]["packages"]
    assert sorted(from_pyodide) == ["webdash-probe-core", "webdash-probe-stats"]
    # six is on PyPI: bundled, and dropped from the distribution package's dependencies.
    assert "six" in {p["name"] for p in lock["packages"]}
    assert from_pyodide["webdash-probe-stats"]["depends"] == ["webdash-probe-core"]
    assert lock["pyodide"]["baseURL"] == "_webdash/pyodide/"
    for entry in from_pyodide.values():
        data = (root / "_webdash/pyodide" / entry["file_name"]).read_bytes()
        assert data == (mirror / entry["file_name"]).read_bytes()
    assert [o["origin"] for o in manifest_of(root)["origins"]] == [SELF]


def test_distribution_only_package_without_its_mirror_is_named(tmp_path):
    with pytest.raises(BuildError, match=r"No browser build of: webdash-probe-stats"):
        build(TEST_APPS / "distribution_package", tmp_path / "out")


def test_numpy_loads_from_pyodides_cdn_by_default(tmp_path):
    app = tmp_path / "stats"
    app.mkdir()
    (app / "app.py").write_text("import numpy\nfrom dash import Dash\napp = Dash()\n")
    (app / "requirements.txt").write_text("numpy\n")
    result = build(app, tmp_path / "out")
    assert [(p.name, p.file) for p in result.apps[0].pyodide_packages] == [
        ("numpy", "numpy-2.4.6-cp314-cp314-pyemscripten_2026_0_wasm32.whl")
    ]
    lock = json.loads((tmp_path / "out/_webdash/lock.json").read_text())
    assert lock["pyodide"]["baseURL"] == _versions.PYODIDE_CDN
    assert "numpy" not in {p["name"] for p in lock["packages"]}
    origins = manifest_of(tmp_path / "out")["origins"]
    assert [o["origin"] for o in origins] == [SELF, "https://cdn.jsdelivr.net"]
    assert "numpy" in origins[1]["why"]


def test_urls_in_the_apps_code_are_listed_as_origins(tmp_path):
    app = tmp_path / "styled"
    (app / "assets").mkdir(parents=True)
    (app / "app.py").write_text(
        'from dash import Dash\napp = Dash(external_stylesheets=["https://cdn.example.org/theme.css"])\n'
    )
    (app / "assets/site.css").write_text("@import url(https://fonts.example.com/inter.css);\n")
    result = build(app, tmp_path / "out")
    assert [o.origin for o in result.origins] == [
        SELF,
        "https://cdn.example.org",
        "https://fonts.example.com",
    ]
    assert "app.py" in result.origins[1].why


@pytest.mark.parametrize(
    ("lock", "message"),
    [
        (None, "has no pyodide-lock.json"),
        ({"info": {"python": "3.12.7", "abi_version": "2024_0"}, "packages": {}}, "is for Python 3.12.7"),
        ("not json", "is not a Pyodide lock file"),
    ],
)
def test_bad_mirror_is_explained(tmp_path, lock, message):
    folder = tmp_path / "mirror"
    folder.mkdir()
    if lock is not None:
        (folder / "pyodide-lock.json").write_text(lock if isinstance(lock, str) else json.dumps(lock))
    with pytest.raises(BuildError, match=message):
        build(TEST_APPS / "echo", tmp_path / "out", pyodide_packages=str(folder))


def test_corrupt_mirror_file_is_refused(tmp_path, mirror):
    copy = tmp_path / "mirror"
    copy.mkdir()
    for path in mirror.iterdir():
        copy.joinpath(path.name).write_bytes(path.read_bytes())
    wheel = next(copy.glob("webdash_probe_core-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    with pytest.raises(BuildError, match=r"does not match its pyodide-lock\.json entry"):
        build(TEST_APPS / "distribution_package", tmp_path / "out", pyodide_packages=str(copy))


def test_no_snapshot_is_shipped_for_an_app_with_packages_of_pyodides_distribution(tmp_path, mirror):
    said: list[str] = []
    result = build(
        TEST_APPS / "distribution_package", tmp_path / "out", pyodide_packages=str(mirror),
        snapshot_at="/", log=said.append,
    )  # fmt: skip
    assert result.snapshots == []
    assert any(re.search(r"No memory snapshot for distribution_package: .*webdash[-_]probe", m) for m in said)
    assert not (tmp_path / "out/_webdash/prebuilt").exists()


@pytest.mark.parametrize(("given", "path"), [("", "/"), ("/", "/"), ("team", "/team/"), ("/a/b/", "/a/b/")])
def test_a_snapshots_url_path_is_read_as_a_path_from_the_hosts_root(given, path):
    assert url_path(given) == path


# -- galleries ---------------------------------------------------------------------------------------
def test_folder_without_apps(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildError, match=r"no app\.py, and no sub-folder with one"):
        build(tmp_path / "empty", tmp_path / "out")


def test_gallery_apps_share_the_packages_they_have_in_common(tmp_path):
    for name, requirements in (("plain", ""), ("extra", "six\n")):
        (tmp_path / "apps" / name).mkdir(parents=True)
        (tmp_path / "apps" / name / "app.py").write_text("from dash import Dash\napp = Dash()\n")
        (tmp_path / "apps" / name / "requirements.txt").write_text(requirements)
    build(tmp_path / "apps", tmp_path / "out")
    extra, plain = (json.loads((tmp_path / "out" / n / "_webdash/lock.json").read_text())["archives"]
                    for n in ("extra", "plain"))  # fmt: skip
    assert len(plain) == 1 and extra[0] == plain[0]
    names = read_pack(tmp_path / "out/_webdash" / extra[1])
    assert "six.pyc" in names and "dash/__init__.pyc" not in names


def test_gallery_app_names_must_be_url_safe(tmp_path):
    (tmp_path / "apps/my app").mkdir(parents=True)
    (tmp_path / "apps/my app/app.py").write_text("")
    with pytest.raises(BuildError, match="folder name is its URL"):
        build(tmp_path / "apps", tmp_path / "out")


def test_metadata_file_overrides_what_app_py_says(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/card.png").write_bytes(b"\x89PNG")
    (tmp_path / "app.py").write_text('"""From the docstring."""\nfrom dash import Dash\nDash(title="T")\n')
    assert describe_app(tmp_path).title == "T"
    assert describe_app(tmp_path).description == "From the docstring."
    (tmp_path / "webdash.toml").write_text(
        'title = "Budget"\ndescription = "Spend"\nthumbnail = "assets/card.png"\n'
    )
    info = describe_app(tmp_path)
    assert (info.title, info.description, info.thumbnail) == ("Budget", "Spend", tmp_path / "assets/card.png")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('title = "x"\ncolour = "red"\n', "only the text keys"),
        ('thumbnail = "missing.png"\n', "is not an image file"),
        ("title = \n", "webdash.toml"),
    ],
)
def test_bad_metadata_file_is_explained(tmp_path, toml, message):
    (tmp_path / "app.py").write_text("")
    (tmp_path / "webdash.toml").write_text(toml)
    with pytest.raises(AppError, match=message):
        describe_app(tmp_path)


# -- errors ------------------------------------------------------------------------------------------
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


def test_diskcache_manager_requirement_says_the_line_to_change(tmp_path):
    with pytest.raises(BuildError, match=r"requirements.txt:1: dash\[diskcache\]: DiskcacheManager") as info:
        build(TEST_APPS / "diskcache_manager", tmp_path / "out")
    assert "background_callback_manager = webdash.BackgroundCallbackManager()" in str(info.value)


def test_pyodide_core_is_also_there_gzipped(hello):
    manifest = manifest_of(hello)
    for name, type_ in (("pyodide.asm.wasm", "application/wasm"), ("python_stdlib.zip", "application/zip")):
        entry = manifest["files"][f"../_webdash/pyodide/{name}"]
        assert entry["gzip"] == f"../_webdash/pyodide/{name}.gz" and entry["type"] == type_
        gzipped = (hello / entry["gzip"]).read_bytes()
        plain = (hello / f"../_webdash/pyodide/{name}").read_bytes()
        assert gzip.decompress(gzipped) == plain and len(gzipped) < len(plain) / 2


def test_standard_library_is_compiled(gallery):
    with zipfile.ZipFile(gallery / "_webdash/pyodide/python_stdlib.zip") as stdlib:
        names = set(stdlib.namelist())
        pyc = stdlib.read("json/__init__.pyc")
        # Stored, not deflated: the site sends it gzipped whole, and imports need no inflating.
        assert {info.compress_type for info in stdlib.infolist()} == {zipfile.ZIP_STORED}
    # Pyodide ships it as source; the site holds each module compiled, in place of its source.
    assert {"json/__init__.pyc", "asyncio/__init__.pyc", "email/parser.pyc"} <= names
    assert not [n for n in names if n.endswith(".py")]
    assert int.from_bytes(pyc[4:8], "little") == 1  # a hash-based .pyc that is never checked
    # Tracebacks name the module where Pyodide's Python finds it.
    assert b"/lib/python314.zip/json/__init__.py" in pyc
