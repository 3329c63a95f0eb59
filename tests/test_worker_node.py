"""The worker entry point (bootstrap/python.js + webdash._worker) on the real pinned Pyodide, in Node."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess

import pytest

from webdash._build import build

from .conftest import REPO, hello_callback

pytestmark = pytest.mark.node
DRIVER = REPO / "tests" / "node" / "boot_site.mjs"


def boot(served, name: str, requests: list[dict], mode: str = "") -> dict:
    return boot_at(served.root(name), served.site_dir(name), requests, mode)


def boot_at(root: str, site_dir, requests: list[dict], mode: str = "") -> dict:
    """Boot in Node (see tests/node/boot_site.mjs for ``mode``) and answer ``requests``."""
    node = shutil.which("node")
    assert node, "Node.js is needed for this tier (tests/run.sh checks for it)"
    result = subprocess.run(
        [node, str(DRIVER), root, str(site_dir), json.dumps(requests), *([mode] if mode else [])],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


HELLO_REQUESTS = [
    {"method": "GET", "path": ""},
    {"method": "GET", "path": "_dash-layout"},
    {
        "method": "POST",
        "path": "_dash-update-component",
        "headers": [["Content-Type", "application/json"]],
        "body": json.dumps(hello_callback("Grace")),
    },
]


@pytest.fixture(scope="module")
def hello(served):
    return boot(served, "hello", HELLO_REQUESTS)


def test_boots_through_every_stage(hello):
    assert hello["stages"] == ["python", "packages", "app", "ready"]


def test_index_knows_the_sub_path(hello):
    index = hello["responses"][0]
    assert index["status"] == 200
    assert '"requests_pathname_prefix":"\\u002fteam\\u002fhello\\u002f"' in index["body"]
    assert 'src="/team/hello/_dash-component-suites/dash/' in index["body"]


def test_a_fresh_boot_neither_resumes_nor_saves_without_a_store(hello):
    assert hello["snapshot"] == {"resumed": False, "kept": False}


def test_layout_and_callback(hello):
    layout, callback = hello["responses"][1:]
    assert json.loads(layout["body"])["type"] == "Main"
    answer = json.loads(callback["body"].encode("latin1"))
    assert answer["response"]["greeting"]["children"] == "Hello, Grace!"
    assert answer["response"]["letters"]["figure"]["data"][0]["type"] == "bar"


@pytest.fixture(scope="module")
def second_boot(served, hello):
    """A second boot of the same site, asking for its index and a script the first index named."""
    url = re.search(r'src="/team/hello/([^"]*dash_renderer[^"]*)"', hello["responses"][0]["body"]).group(1)
    return boot(served, "hello", [{"method": "GET", "path": ""}, {"method": "GET", "path": url}])


def test_component_suite_urls_are_stable_across_boots(hello, second_boot):
    pattern = r'src="([^"]*_dash-component-suites[^"]*)"'
    first = re.findall(pattern, hello["responses"][0]["body"])
    assert first
    assert re.findall(pattern, second_boot["responses"][0]["body"]) == first


def test_component_suite_served_from_python(second_boot):
    script = second_boot["responses"][1]
    assert script["status"] == 200
    assert any(k.lower() == "content-type" and "javascript" in v for k, v in script["headers"])
    assert "dash_renderer" in script["body"] or "DashRenderer" in script["body"]


@pytest.fixture(scope="module")
def resumed(served):
    """The second of two boots, resumed from the snapshot the first one saved."""
    return boot(served, "hello", HELLO_REQUESTS, "resume")


def test_second_boot_resumes_from_the_snapshot(resumed):
    assert resumed["snapshot"] == {"resumed": True, "kept": True}
    assert resumed["stages"] == ["python", "ready"]


def test_resumed_python_answers_as_a_fresh_one(hello, resumed):
    # Except for the random id Dash gives each page it serves.
    def same(body: str) -> str:
        return re.sub(r'"end_id":"[^"]*"', '"end_id":…', body)

    for fresh, again in zip(hello["responses"], resumed["responses"], strict=True):
        assert (again["status"], same(again["body"])) == (fresh["status"], same(fresh["body"]))
    # The callback went through pydantic-core, a compiled extension restored with the snapshot.
    assert "Hello, Grace!" in resumed["responses"][2]["body"]


def test_a_snapshot_that_does_not_fit_is_replaced_by_a_fresh_boot(served):
    result = boot(served, "hello", HELLO_REQUESTS, "resume-mismatched")
    assert result["snapshot"] == {"resumed": False, "kept": True}
    assert result["stages"] == ["python", "packages", "app", "ready"]
    assert "Hello, Grace!" in result["responses"][2]["body"]


def test_files_held_open_by_garbage_do_not_spoil_the_snapshot(served, tmp_path):
    """Garbage in a reference cycle holds a file in /tmp open for reading. /tmp is not saved, so a
    restore could not open it again: the snapshot is taken after the garbage is collected, and the
    next boot resumes from it."""
    app = tmp_path / "scratch"
    app.mkdir()
    (app / "app.py").write_text(
        "import os, tempfile\n"
        "from dash import Dash, html\n"
        "path = os.path.join(tempfile.gettempdir(), 'scratch.txt')\n"
        "with open(path, 'w') as f:\n"
        "    f.write('scratch')\n"
        "class Scratch:\n"
        "    def __init__(self):\n"
        "        self.me = self\n"
        "        self.file = open(path)\n"
        "Scratch()\n"
        "app = Dash()\n"
        "app.layout = html.Div('scratch')\n"
    )
    build(app, served.folder / "scratch")
    layout = {"method": "GET", "path": "_dash-layout"}
    result = boot_at(served.base_url + "scratch/", served.folder / "scratch", [layout], "resume")
    assert result["snapshot"] == {"resumed": True, "kept": True}, result
    assert json.loads(result["responses"][0]["body"])["props"]["children"] == "scratch"


def test_a_file_written_after_the_snapshot_is_restored_as_it_was_then(served, tmp_path):
    """The snapshot holds Python's memory and its files as they were at one moment. A request the
    first Python answers before the snapshot is stored writes over a file of the app in place; the
    resumed Python finds the file as it was when its memory was saved."""
    app = tmp_path / "overwrite"
    app.mkdir()
    (app / "stamp.txt").write_text("before")
    (app / "app.py").write_text(
        "from pathlib import Path\n"
        "from dash import Dash, html\n"
        "app = Dash()\n"
        "app.layout = html.Div('overwrite')\n"
        "STAMP = Path(__file__).parent / 'stamp.txt'\n"
        "@app.server.route('/stamp')\n"
        "def stamp():\n"
        "    with STAMP.open('r+') as f:  # written in place: no truncation, same length\n"
        "        found = f.read()\n"
        "        f.seek(0)\n"
        "        f.write('after!')\n"
        "    return found\n"
    )
    site = served.folder / "overwrite"
    build(app, site)
    stamp = [{"method": "GET", "path": "stamp"}]
    result = boot_at(served.base_url + "overwrite/", site, stamp, "resume-after-requests")
    assert result["snapshot"] == {"resumed": True, "kept": True}, result
    assert result["firstResponses"][0]["body"] == "before"
    assert result["responses"][0]["body"] == "before"


@pytest.mark.parametrize("mode", ["", "resume"], ids=["fresh", "resumed"])
def test_a_callbacks_garbage_does_not_pile_up_between_requests(served, tmp_path, mode):
    """Each callback leaves objects in reference cycles. Collected between requests, they never
    pile up for one long collection in a later callback; what the boot made is frozen, out of
    every collection's way (in a resumed Python too: the snapshot holds it frozen)."""
    app = tmp_path / "cycles"
    app.mkdir()
    (app / "app.py").write_text(
        "import gc\n"
        "from dash import Dash, Input, Output, dcc, html\n"
        "class Node:\n"
        "    def __init__(self):\n"
        "        self.me = self\n"
        "app = Dash()\n"
        "app.layout = html.Div([dcc.Input(id='n'), html.Div(id='out')])\n"
        "@app.callback(Output('out', 'children'), Input('n', 'value'))\n"
        "def count(n):\n"
        "    cycles = [Node() for _ in range(500)]\n"
        "    return f'{len(gc.get_objects())} {gc.get_freeze_count()}'\n"
    )
    site = served.folder / f"cycles-{mode or 'fresh'}"
    build(app, site)
    callback = {
        "method": "POST",
        "path": "_dash-update-component",
        "headers": [["Content-Type", "application/json"]],
        "body": json.dumps({
            "output": "out.children",
            "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "n", "property": "value", "value": "1"}],
            "changedPropIds": ["n.value"],
            "state": [],
        }),
    }  # fmt: skip
    result = boot_at(f"{served.base_url}{site.name}/", site, [callback] * 40, mode)
    assert result["snapshot"]["resumed"] == (mode == "resume")
    counts = [json.loads(r["body"])["response"]["out"]["children"].split() for r in result["responses"]]
    tracked = [int(count) for count, _ in counts]
    # Left to pile up, 39 callbacks' cycles would add ~20,000 objects before a full collection.
    assert max(tracked[5:]) - tracked[5] < 2_000, tracked
    assert int(counts[0][1]) > 50_000, "the boot's objects are frozen"


def test_apps_with_distribution_packages_are_not_snapshotted(served):
    result = boot(served, "distribution_package", [], "resume")
    assert result["snapshot"] == {"resumed": False, "kept": False}


def test_broken_app_fails_the_boot_with_the_apps_error(served):
    result = boot(served, "broken_import", [])
    assert result["error"]["type"] == "AppError"
    assert (
        "RuntimeError while being imported: the data file sales.csv is missing" in result["error"]["message"]
    )
    assert result["stages"][-1] == "app"


def test_packages_from_a_distribution_mirror_are_importable(served):
    callback = {
        "output": "summary.children",
        "outputs": {"id": "summary", "property": "children"},
        "inputs": [{"id": "numbers", "property": "value", "value": "2 4 9"}],
        "changedPropIds": ["numbers.value"],
        "state": [],
    }
    request = {"method": "POST", "path": "_dash-update-component",
               "headers": [["Content-Type", "application/json"]], "body": json.dumps(callback)}  # fmt: skip
    result = boot(served, "distribution_package", [request])
    assert "error" not in result, result
    answer = json.loads(result["responses"][0]["body"])
    assert answer["response"]["summary"]["children"] == "mean 5 of 3"


def test_unreachable_package_location_fails_the_boot_with_what_to_do(served, tmp_path):
    app = tmp_path / "stats"
    app.mkdir()
    (app / "app.py").write_text("import numpy\nfrom dash import Dash\napp = Dash()\n")
    (app / "requirements.txt").write_text("numpy\n")
    # Nothing listens on port 1 (these machines cannot reach Pyodide's CDN either).
    build(app, served.folder / "unreachable", pyodide_packages="http://127.0.0.1:1/pyodide/")
    result = boot_at(served.base_url + "unreachable/", served.folder / "unreachable", [])
    message = result["error"]["message"]
    assert message.startswith(
        "Could not load numpy from Pyodide's package distribution at http://127.0.0.1:1/"
    )
    assert "--pyodide-packages DIR" in message
    assert result["stages"][-1] == "packages"


def test_diskcache_manager_fails_the_boot_with_the_line_to_change(served, tmp_path):
    app = tmp_path / "jobs"
    app.mkdir()
    (app / "app.py").write_text(
        "from dash import Dash, DiskcacheManager\n"
        "app = Dash(background_callback_manager=DiskcacheManager())\n"
    )
    build(app, served.folder / "jobs")
    result = boot_at(served.base_url + "jobs/", served.folder / "jobs", [])
    assert result["error"]["type"] == "AppError"
    assert "DiskcacheManager runs background callbacks in other processes" in result["error"]["message"]
    assert "background_callback_manager = webdash.BackgroundCallbackManager()" in result["error"]["message"]


@pytest.mark.parametrize("cut", ["gzip stream", "pack"])
def test_a_cut_off_packages_archive_fails_the_boot_naming_it(served, tmp_path, cut):
    """A pack that ends early (a deployment still uploading) stops the boot with its name, whether
    the cut falls inside the gzip stream or the stream is whole but holds too little."""
    site = served.folder / f"cut-{cut.replace(' ', '-')}"
    build(REPO / "apps" / "hello", site)
    (pack,) = (site / "_webdash").glob("packages-*.pack")
    if cut == "gzip stream":
        pack.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    else:
        content = gzip.decompress(pack.read_bytes())
        pack.write_bytes(gzip.compress(content[: len(content) // 2]))
    result = boot_at(served.base_url + site.name + "/", site, [])
    message = result["error"]["message"]
    assert pack.name in message
    assert "Is the site fully deployed?" in message
    assert result["stages"] == ["python"]
