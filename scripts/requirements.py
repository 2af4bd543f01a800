"""Prints the dependencies pyproject.toml declares, one a line, for `pip install -r /dev/stdin`.

The project runs from its checkout (manage.py, celery -A config), so only its dependencies
are installed, not the project itself.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
wanted = list(project["dependencies"])
for extra in sys.argv[1:]:
    wanted += project["optional-dependencies"][extra]
print("\n".join(wanted))
