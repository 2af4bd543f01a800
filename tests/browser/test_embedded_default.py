"""`make run` as a newcomer meets it: the embedded PostgreSQL, signed in as demo, an order
created through the wizard and saved.

The app runs exactly as `make run` starts it (scripts/run.sh with no DATABASE_URL or
CELERY_BROKER_URL, VAR_DIR in a temporary folder), not on the test database; the test stops
it the way Ctrl-C does and checks that no process is left behind.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect

from config import embedded_postgres
from tests.processes import postmasters

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_of_session(session: int) -> list[str]:
    listing = subprocess.run(
        ["ps", "-ww", "-eo", "pid,sid,args"], capture_output=True, text=True
    ).stdout
    return [line for line in listing.splitlines()[1:] if line.split()[1] == str(session)]


class MakeRun:
    """scripts/run.sh in a session of its own, as `make run` runs it on the embedded default."""

    def __init__(self, var: Path, log: Path) -> None:
        self.var = var
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_QUEUE"}
        }
        env.update(
            VAR_DIR=str(var),
            DJANGO_SETTINGS_MODULE="config.settings",
            PORT=str(self.port),
            PY=sys.executable,
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for this process by the browser tests
        with log.open("w") as output:
            self.process = subprocess.Popen(
                ["bash", "scripts/run.sh"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run exited early:\n{self.output()[-4000:]}")
            if "Campaign Hub is running" in self.output():
                # The address is printed only once the web server answers on it
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                except OSError as error:
                    pytest.fail(f"make run printed its address before serving it: {error}")
                return
            time.sleep(0.5)
        pytest.fail(
            f"make run did not start in {START_TIMEOUT_SECONDS} s:\n{self.output()[-4000:]}"
        )

    def stop_as_make_passes_it_on(self) -> None:
        """SIGTERM to make's process group reaches run.sh twice: from the group, then from make,
        which passes SIGTERM on to its child; the second arrives while run.sh is stopping."""
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while "Stopping" not in self.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Stopping" in self.output(), self.output()[-4000:]
        self.process.send_signal(signal.SIGTERM)
        self.stop()

    def stop(self) -> None:
        """What Ctrl-C does: run.sh stops the web server, the worker and the database."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=90)
        for line in _processes_of_session(self.process.pid):  # only if stopping failed
            os.kill(int(line.split()[0]), signal.SIGKILL)
        embedded_postgres.stop(self.var)


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    app = MakeRun(tmp_path / "var", tmp_path / "make-run.log")
    try:
        app.wait_until_serving()
        yield app
    finally:
        app.stop()


def next_step(page: Page, step: str) -> None:
    """Press Next and wait until ``step``'s page has loaded: the step bar is near the top of
    the page, so it shows while the rest still arrives, and typing into a half-loaded step
    (whose scripts then move focus) is not what a person does."""
    page.get_by_role("button", name="Next").click()
    expect(page.locator('[aria-current="step"]')).to_contain_text(step)
    page.wait_for_load_state("load")


def test_make_run_saves_an_order_from_the_wizard_on_the_embedded_postgresql(
    browser: Browser, make_run: MakeRun
) -> None:
    # Given `make run` on the embedded default, and the demo user it prints
    context = browser.new_context(base_url=make_run.url, locale="en-US")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/?next=/orders/create/")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/orders/create/$"))
        page.wait_for_load_state("load")

        # When they create an order with a source ID and a total amount only
        page.get_by_label("Source ID").fill("laptop-1")
        next_step(page, "Items")
        page.get_by_label("Total order amount").fill("45.50")
        for step in ("Customer", "Referrer", "Metadata", "Summary"):
            next_step(page, step)
        expect(page.locator("#summary-total")).to_have_text("$45.50")
        page.get_by_role("button", name="Save").click()

        # Then the saved order's page shows it
        expect(page).to_have_url(re.compile(r"/orders/ord_[A-Za-z0-9]+/$"))
        expect(page.get_by_text(re.compile(r"Order ord_\w+ created\."))).to_be_visible()
        expect(page.locator("main")).to_contain_text("laptop-1")
        expect(page.locator("main")).to_contain_text("$45.50")
        order_id = re.search(r"/orders/(ord_[A-Za-z0-9]+)/$", page.url)[1]
    finally:
        context.close()

    # And it is stored in the embedded database make run uses
    settings = embedded_postgres.database_settings(make_run.var)
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
    ) as connection:
        row = connection.execute(
            "SELECT source_id, amount FROM orders_order WHERE id = %s", [order_id]
        ).fetchone()
    assert row == ("laptop-1", 4550)

    # And stopping make run leaves no process behind: web, worker or database, even when the
    # signal arrives a second time while it is stopping
    make_run.stop_as_make_passes_it_on()
    assert make_run.process.returncode is not None
    assert _processes_of_session(make_run.process.pid) == []
    assert postmasters(make_run.var) == []
    assert "Embedded PostgreSQL stopped" in make_run.output()
