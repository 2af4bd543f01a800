"""The embedded PostgreSQL's server processes, as ``ps`` lists them (for tests that start one)."""

import subprocess
from pathlib import Path

from config import embedded_postgres


def postmasters(var: Path) -> list[str]:
    """Postmasters whose command line names this data folder."""
    listing = subprocess.run(
        ["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True
    ).stdout
    return postmasters_in(listing, str(embedded_postgres.data_dir(var)))


def postmasters_in(listing: str, data: str) -> list[str]:
    """The lines of a ``ps -eo pid=,ppid=,args=`` listing that are this data folder's postmaster.

    A process the postmaster has just forked (a backend for a connection, a background
    worker) carries its parent's command line until it renames itself, so a process whose
    parent also matches is a child, not a second server.
    """
    matching: dict[str, tuple[str, str]] = {}
    for line in listing.splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3 and f" -D {data} " in f" {fields[2]} ":
            pid, ppid, args = fields
            matching[pid] = (ppid, f"{pid} {args}")
    return [line for ppid, line in matching.values() if ppid not in matching]
