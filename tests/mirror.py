"""A tiny mirror of Pyodide's package distribution, made by the tests.

The real distribution (numpy, pandas, …) lives on Pyodide's CDN, which these
machines cannot reach. A mirror folder has the same shape: a pyodide-lock.json
whose entries name wheel files next to it, with their sha256. This one holds two
made-up pure packages: ``webdash-probe-stats`` depends on ``webdash-probe-core``
(also in the mirror) and on ``six`` (which PyPI has, so it is bundled instead).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from webdash import _versions

PACKAGES = {
    "webdash-probe-core": {
        "module": "probe_core",
        "depends": [],
        "source": "def total(values):\n    return sum(values)\n",
    },
    "webdash-probe-stats": {
        "module": "probe_stats",
        "depends": ["webdash-probe-core", "six"],
        "source": (
            "import six\nfrom probe_core import total\n\n"
            "def mean(values):\n    return total(values) / len(values)\n\n"
            "def describe(values):\n    return six.text_type(f'mean {mean(values):g} of {len(values)}')\n"
        ),
    },
}
VERSION = "1.0.0"


def make_mirror(folder: Path) -> Path:
    """Write the wheels and their pyodide-lock.json into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name, spec in PACKAGES.items():
        dist = f"{name.replace('-', '_')}-{VERSION}"
        wheel = folder / f"{dist}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"{spec['module']}/__init__.py", spec["source"])
            requires = "".join(f"Requires-Dist: {d}\n" for d in spec["depends"])
            archive.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\n"
                             f"Version: {VERSION}\n{requires}")  # fmt: skip
            archive.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                             "Tag: py3-none-any\n")  # fmt: skip
            archive.writestr(f"{dist}.dist-info/RECORD", "")
        entries[name] = {
            "name": name,
            "version": VERSION,
            "file_name": wheel.name,
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "depends": spec["depends"],
            "imports": [spec["module"]],
            "install_dir": "site",
            "package_type": "package",
            "unvendored_tests": False,
            "tool": {},
        }
    info = {"abi_version": _versions.PYODIDE_ABI, "arch": "wasm32", "platform": "emscripten_5_0_3",
            "python": _versions.PYTHON_FULL_VERSION}  # fmt: skip
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": info, "packages": entries}, indent=1))
    return folder
