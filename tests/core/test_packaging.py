"""Campaign Hub installs as a package: a wheel built from the sources, installed on a clean
virtualenv (at the versions uv.lock pins), passes ``campaign-hub check`` run from another
folder, and finds its templates and static files without the checkout.

uv (put into the venv by the Makefile) builds and installs; its cache makes the install quick
after ``make install``.
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"

PROBE = """
import json
import django
django.setup()
import core
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
print(json.dumps({
    "core": core.__file__,
    "template": get_template("orders/order_list.html").origin.name,
    "login": get_template("registration/login.html").origin.name,
    "script": finders.find("js/bell.js"),
    "var_dir": str(settings.VAR_DIR),
}))
"""


def run(*command: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def copy_sources(to: Path) -> None:
    """What a build reads (so the build's own folders are made there, not in the checkout)."""
    to.mkdir()
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, to / name)
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for pattern in found["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        shutil.copytree(ROOT / package, to / package, ignore=shutil.ignore_patterns("__pycache__"))


def test_a_wheel_installs_on_a_clean_venv_and_runs_without_the_checkout(tmp_path):
    assert UV.exists(), f"{UV} is missing: `make install` puts uv into the venv"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "VAR_DIR"}
        and not k.startswith("UV_")
    }
    # uv's Python is this one, never one it finds on PATH or downloads.
    env |= {"UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never"}
    source = tmp_path / "source"
    copy_sources(source)
    run(
        UV, "build", "--quiet", "--wheel",
        "--out-dir", tmp_path / "dist", cwd=source, env=env,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("campaign_hub-*.whl")
    pins = run(
        UV, "export", "--locked", "--no-hashes", "--no-emit-project", "--all-extras",
        cwd=source, env=env,
    )  # fmt: skip
    (tmp_path / "constraints.txt").write_text(pins)
    venv = tmp_path / "venv"
    run(UV, "venv", "--quiet", venv, cwd=tmp_path, env=env)
    run(
        UV, "pip", "install", "--quiet", "--python", venv / "bin" / "python",
        "--constraint", tmp_path / "constraints.txt", wheel,
        cwd=tmp_path, env=env,
    )  # fmt: skip

    # Run from a folder of its own; `check` opens no database connection.
    home = tmp_path / "home"
    home.mkdir()
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/campaign_hub_packaging_check"
    out = run(venv / "bin" / "campaign-hub", "check", cwd=home, env=env)
    assert "System check identified no issues" in out

    out = run(
        venv / "bin" / "python", "-c", PROBE,
        cwd=home, env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
    )  # fmt: skip
    found = json.loads(out.splitlines()[-1])
    # Installed, data goes under the working folder, not into site-packages.
    assert Path(found.pop("var_dir")) == home / "var"
    for path in found.values():
        assert Path(path).is_relative_to(venv / "lib"), (path, "is not the installed wheel's")
    assert found["template"].endswith("core/templates/orders/order_list.html")
    # The project's sign-in page still wins over the one django.contrib.admin ships.
    assert found["login"].endswith("core/templates/registration/login.html")
    assert found["script"].endswith("core/static/js/bell.js")
