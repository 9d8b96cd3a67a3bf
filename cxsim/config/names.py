"""Names from users' files (orgs, regimes, departments, journeys) used in file names.

A name is text a user wrote: it may hold `/`, `..`, quotes, HTML or any
unicode. Wherever one goes into a path (a plot's file, a run's folder), it goes
through `file_name`, which keeps letters, digits, `-`, `_` and `.` (no leading
dot) and adds a short hash when it had to change anything, so two different
names never share a file. In HTML every name is escaped where it is shown.
"""

from __future__ import annotations

import hashlib
import re

UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def file_name(text: object, limit: int = 60) -> str:
    raw = str(text)
    safe = UNSAFE.sub("_", raw).lstrip(".")[:limit] or "_"
    if safe != raw:
        safe += "-" + hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return safe
