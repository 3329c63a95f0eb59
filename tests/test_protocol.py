"""The message protocol is written once per side; the two sides must agree."""

from __future__ import annotations

import re
import typing

from webdash import _protocol

from .conftest import REPO

JS = (REPO / "bootstrap" / "protocol.js").read_text()
SERVICE_WORKER = (REPO / "service_worker.js").read_text()


def js_constants() -> dict[str, str]:
    return dict(re.findall(r'export const (\w+) = "([^"]+)";', JS))


def js_typedef(name: str) -> set[str]:
    block = re.search(rf"@typedef {{object}} {name}\n(.*?)\*/", JS, re.S)
    assert block, f"no typedef {name} in protocol.js"
    return set(re.findall(r"@property {[^}]+} (\w+)", block.group(1)))


def test_message_types_agree():
    python = {name: getattr(_protocol, name) for name in dir(_protocol) if name.isupper()}
    python = {k: v for k, v in python.items() if isinstance(v, str)}
    assert js_constants() == python
    assert set(_protocol.MESSAGE_TYPES) == set(python.values())


def test_boot_stages_agree():
    stages = re.search(r"export const BOOT_STAGES = \[(.*?)\];", JS).group(1)
    assert tuple(re.findall(r'"([^"]+)"', stages)) == _protocol.BOOT_STAGES


def test_typedefs_agree_with_typeddicts():
    for typed_dict in (
        _protocol.HttpRequest,
        _protocol.HttpResponse,
        _protocol.ErrorInfo,
        _protocol.BootConfig,
        _protocol.BootProgress,
    ):
        assert js_typedef(typed_dict.__name__) == set(typing.get_type_hints(typed_dict)), typed_dict.__name__


def test_service_worker_speaks_only_protocol_messages():
    # The service worker is a classic script and cannot import protocol.js; it spells the types out.
    used = set(re.findall(r'"((?:http|boot|sw):[a-z]+)"', SERVICE_WORKER))
    assert used
    assert used <= set(_protocol.MESSAGE_TYPES)
