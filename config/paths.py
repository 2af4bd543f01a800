"""Where Campaign Hub's files are: its code, and the folder it keeps data in (``VAR_DIR``).

Run from a checkout (``make run``, ``manage.py``), data goes under the checkout's ``var/``;
installed as a package (``pip install campaign-hub``, ``campaign-hub runserver``), the code
sits in site-packages, so data goes under the working folder's ``var/`` instead. ``VAR_DIR``
in the environment wins over both.
"""

import os
from pathlib import Path

# The folder holding the apps: a checkout's root, or site-packages.
CODE_DIR = Path(__file__).resolve().parent.parent
CHECKOUT = (CODE_DIR / "manage.py").is_file()
HOME_DIR = CODE_DIR if CHECKOUT else Path.cwd()


def default_var_dir() -> Path:
    """``VAR_DIR`` as config/settings.py reads it, for scripts that run without Django."""
    return Path(os.environ.get("VAR_DIR", str(HOME_DIR / "var")))
