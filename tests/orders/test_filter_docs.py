"""docs/filters.md is what the filter grammar writes (``orders.filter_docs``), so the page and
the code cannot part: change the grammar and this fails until the page is written again."""

import io
import re
from pathlib import Path

from django.core.management import call_command

from orders import grammar
from orders.filter_docs import REGENERATE, filters_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "filters.md"


def test_docs_filters_md_is_what_the_grammar_writes():
    assert PAGE.read_text(encoding="utf-8") == filters_markdown(), (
        f"docs/filters.md is out of date: run `{REGENERATE}`"
    )


def test_the_command_prints_the_page():
    out = io.StringIO()

    call_command("filter_table", stdout=out)

    assert out.getvalue() == filters_markdown()
    assert REGENERATE in out.getvalue()  # the page says how it is made


def test_the_compatibility_table_marks_every_pair_of_the_matrix():
    # Given the table's rows as the page shows them
    _, _, table = filters_markdown().partition("## Compatibility")
    header, _, *rows = [line for line in table.splitlines() if line.startswith("|")]
    conditions = re.findall(r"`(\$\w+)`", header)
    shown = {}
    for row in rows:
        field, kind, *marks = [cell.strip() for cell in row.strip("|").split("|")]
        for condition, mark in zip(conditions, marks, strict=True):
            shown[(field.strip("`"), kind, condition)] = mark == "✓"

    # Then it has every pair of the grammar's matrix, marked as the grammar takes it
    expected = {(f, k, c): supported for f, k, c, supported in grammar.matrix()}
    assert shown == expected
