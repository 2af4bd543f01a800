"""htmx's request and response headers go through django-htmx, never by hand.

``request.htmx`` (django_htmx.middleware.HtmxMiddleware) reads the request's headers and the
helpers of django_htmx.http write the response's, so a header's name is spelled in one place.
"""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "staticfiles", "var", ".git", "bench"}
# A header name as a string: response["HX-Push-Url"] = ..., request.headers.get("HX-Request").
HTMX_HEADER = re.compile(r"""["'](HX-[A-Za-z-]+|HTTP_HX_[A-Z_]+)["']""")


def test_htmx_middleware_is_installed():
    assert "django_htmx.middleware.HtmxMiddleware" in settings.MIDDLEWARE


def test_no_code_spells_an_htmx_header():
    spelled = {
        str(path.relative_to(ROOT)): HTMX_HEADER.findall(path.read_text())
        for path in ROOT.rglob("*.py")
        if SKIP.isdisjoint(path.relative_to(ROOT).parts)
    }
    assert {path: names for path, names in spelled.items() if names} == {}
