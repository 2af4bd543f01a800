"""Pages are ready for a Content-Security-Policy without 'unsafe-inline' scripts.

Every template loads its scripts from files (``<script src=... defer>``) and wires behaviour with
data attributes, never with an inline ``<script>`` or an ``on*=`` handler attribute; every file
in static/js/ keeps its names to itself. The browser test tests/browser/test_scripts.py checks
the same under a real policy.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "staticfiles", "var", ".git"}

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# An attribute such as onclick= or onsubmit= inside a tag (not hx-on, which htmx would eval).
HANDLER_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.DOTALL)

# hx-vals / hx-vars with "js:", and hx-trigger event filters ("change[...]").
EVALUATED_BY_HTMX = re.compile(r"hx-vars=|hx-vals=['\"]\s*(js|javascript):|hx-trigger=\"[^\"]*\[")


def _templates() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.html"):
        parts = path.relative_to(ROOT).parts
        if SKIP.isdisjoint(parts) and "templates" in parts:
            found.append(path)
    return sorted(found)


TEMPLATES = _templates()
JS = ROOT / "core" / "static" / "js"
SCRIPTS = sorted(p for p in JS.glob("*.js") if p.name != "htmx.min.js")


def test_templates_and_scripts_are_found():
    assert ROOT / "core" / "templates" / "orders" / "order_detail.html" in TEMPLATES
    assert ROOT / "core" / "static" / "js" / "bell.js" in SCRIPTS


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_or_handler(template: Path):
    text = template.read_text()
    for attributes in SCRIPT_TAG.findall(text):
        assert re.search(r"\bsrc=", attributes), f"inline <script> in {template}"
        assert re.search(r"\bdefer\b", attributes), f"<script{attributes}> without defer"
    handler = HANDLER_ATTRIBUTE.search(text)
    assert handler is None, f"{handler.group(1)}= handler in {template}"
    # htmx evaluates these as code, which a policy without 'unsafe-eval' refuses.
    assert not EVALUATED_BY_HTMX.search(text), f"code for htmx to evaluate in {template}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_is_a_strict_module_without_globals(script: Path):
    # Comments first, then one arrow function run at once: nothing it declares leaks.
    code = [line for line in script.read_text().splitlines() if not line.startswith("//")]
    assert code[0] == "(() => {", f"{script.name} does not start with its own scope"
    assert code[1] == '  "use strict";'
    assert code[-1] == "})();"
    assert "var " not in script.read_text()


def test_only_the_shell_scripts_are_on_every_page():
    base = (ROOT / "core" / "templates" / "base.html").read_text()
    loaded = set(re.findall(r"static 'js/([\w.]+)'", base))
    assert loaded == {"htmx.min.js", "bell.js", "layout.js"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/orders/", "/customers/", "/admin/", "/v1/orders", "/missing/"]
)
def test_every_response_carries_a_policy_without_inline_scripts(admin_client, path):
    response = admin_client.get(path)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy["script-src"] and "unsafe-eval" not in " ".join(policy.values())
