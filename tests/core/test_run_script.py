"""`make run` (scripts/run.sh) when the port it would serve on is taken by another program."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_port_in_use_is_named_with_the_way_out_and_nothing_is_started(tmp_path: Path) -> None:
    # Given another program listening on the port
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = {
            k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
        }
        env.update(PORT=str(port), PY=sys.executable, VAR_DIR=str(tmp_path / "var"))
        # When make run starts
        result = subprocess.run(
            ["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
    # Then it stops at once, saying which port and how to choose another ...
    assert result.returncode == 1
    assert f"Port {port} is in use by another program" in result.stderr
    assert "PORT=8001 make run" in result.stderr
    # ... before starting the embedded PostgreSQL or anything else
    assert "Embedded PostgreSQL" not in result.stdout + result.stderr
    assert not (tmp_path / "var").exists()
