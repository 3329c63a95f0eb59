"""Unpacking the app's archive in Pyodide; imports nothing but the standard library."""

from __future__ import annotations

import os
import time
import zipfile


def install_archive(path: str, dest: str) -> None:
    """Unpack the zip at ``path`` into ``dest``, then delete it.

    Each file gets the time recorded in the zip: Dash fingerprints the URLs of
    the JS and CSS it serves with their mtimes, and a file stamped with the
    unpack time would change every URL on every boot and defeat all caching.
    """
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            target = archive.extract(info, dest)
            if not info.is_dir():
                stamp = time.mktime((*info.date_time, 0, 0, -1))
                os.utime(target, (stamp, stamp))
    os.remove(path)
