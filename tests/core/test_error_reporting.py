"""Error reporting with ``SENTRY_DSN``: Django and Celery integrations on; unset, not imported."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import django
django.setup()
state = {"imported": "sentry_sdk" in sys.modules}
if state["imported"]:
    import sentry_sdk
    client = sentry_sdk.get_client()
    state["active"] = client.is_active()
    state["integrations"] = sorted(client.integrations)
print(json.dumps(state))
"""


def probe(**env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_off_and_not_imported_without_a_dsn():
    assert probe() == {"imported": False}


def test_on_with_django_and_celery_integrations_given_a_dsn():
    # A DSN on this machine's discard port: nothing is sent unless an error happens.
    state = probe(SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert state["imported"] and state["active"]
    assert {"django", "celery"} <= set(state["integrations"])
