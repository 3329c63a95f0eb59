"""The command line, in-process with click's CliRunner (and `webdash serve` as a process)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner

from webdash import _versions
from webdash._cli import main

from .conftest import DEMO_APPS, TEST_APPS


@pytest.fixture
def runner(app_state):
    # `webdash run` changes into the app's folder and edits sys.path; app_state undoes that.
    return CliRunner()


def test_version_names_every_pin(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    for pin in (_versions.__version__, _versions.PYODIDE_VERSION, _versions.DASH_VERSION):
        assert pin in result.output


def test_every_option_has_help(runner):
    for command in main.commands.values():
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{command.name} {param.name}"


def test_run_get_prints_one_response(runner):
    result = runner.invoke(main, ["run", str(DEMO_APPS / "hello"), "--get", "/_dash-layout"])
    assert result.exit_code == 0, result.output
    status, rest = result.output.split("\n", 1)
    assert status == "200 OK"
    headers, body = rest.split("\n\n", 1)
    assert "Content-Type: application/json" in headers
    assert json.loads(body)["type"] == "Main"


def test_run_get_app_route(runner):
    result = runner.invoke(main, ["run", str(DEMO_APPS / "hello"), "--get", "/api/greeting/Ada"])
    assert result.exit_code == 0
    assert json.loads(result.output.split("\n\n", 1)[1]) == {"greeting": "Hello, Ada!"}


def test_run_get_binary_body_is_not_dumped(runner):
    result = runner.invoke(main, ["run", str(TEST_APPS / "echo"), "--get", "/binary"])
    assert result.exit_code == 0
    assert "<1024 bytes of binary data>" in result.output


@pytest.mark.parametrize(
    ("app", "message"),
    [
        (
            "broken_import",
            "app.py raised RuntimeError while being imported: the data file sales.csv is missing",
        ),
        ("no_app", "defines no module-level `app`. It defines a Dash app named 'dashboard'"),
        ("not_an_app", "`app` in app.py is a str, not a dash.Dash"),
        ("nowhere", "is not a directory"),
    ],
)
def test_run_explains_a_broken_app(runner, app, message):
    result = runner.invoke(main, ["run", str(TEST_APPS / app), "--get", "/"])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output.split("Traceback (most recent call last)")[0]


def test_broken_import_shows_the_apps_own_frame(runner):
    result = runner.invoke(main, ["run", str(TEST_APPS / "broken_import"), "--get", "/"])
    assert 'app.py", line 6' in result.output


def test_build_reports_origins_and_says_what_next(runner, tmp_path):
    result = runner.invoke(main, ["build", str(TEST_APPS / "echo"), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert f"Built {tmp_path / 'site'} (1 app," in result.output
    assert "packages bundled" in result.output
    assert "At run time the site may contact:\n  its own origin: " in result.output
    assert f"Next: serve {tmp_path / 'site'} from any static host" in result.output


def test_serve_builds_a_gallery_and_prints_its_urls(tmp_path):
    gallery = tmp_path / "apps"
    shutil.copytree(TEST_APPS / "echo", gallery / "echo")
    site = tmp_path / "site"
    command = [sys.executable, "-m", "webdash", "serve", str(gallery), "-o", str(site), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        try:
            lines: list[str] = []
            while not lines or not lines[-1].startswith("Open the URL"):
                line = process.stdout.readline()
                assert line, "webdash serve exited early:\n" + "".join(lines)
                lines.append(line)
            urls = dict(re.findall(r"Serving (.+?) at (http://\S+)", "".join(lines)))
            assert set(urls) == {"the gallery", "echo"}
            assert urls["echo"] == urls["the gallery"] + "echo/"
            with urllib.request.urlopen(urls["the gallery"]) as response:
                assert '<a href="echo/">' in response.read().decode()
            with urllib.request.urlopen(urls["echo"]) as response:
                assert "bootstrap/loader.js" in response.read().decode()
        finally:
            process.terminate()


def test_build_error_is_a_message_not_a_traceback(runner, tmp_path):
    result = runner.invoke(main, ["build", str(TEST_APPS / "syntax_error"), "-o", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "was never closed" in result.output


def test_run_names_requirements_this_python_lacks(runner, tmp_path):
    (tmp_path / "app.py").write_text("from dash import Dash\napp = Dash()\n")
    (tmp_path / "requirements.txt").write_text("dash>=1\nwebdash-no-such-package==1.0\n")
    result = runner.invoke(main, ["run", str(tmp_path), "--get", "/"])
    assert result.exit_code == 1
    assert "needs webdash-no-such-package==1.0, which this Python does not have" in result.output
    assert "-m pip install -r" in result.output
