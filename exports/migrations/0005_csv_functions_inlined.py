"""``ch_csv_time`` and ``ch_csv_text`` that PostgreSQL inlines into the export's query.

PostgreSQL inlines a one-``SELECT`` SQL function into the query that calls it, unless the
function is declared with a volatility stricter than its body's: ``ch_csv_time`` was
IMMUTABLE, but ``to_char`` is STABLE, so every timestamp cell went through a full SQL-function
call (about half a microsecond each, and enough estimated cost to make the planner run the
export's query in parallel workers). Declared STABLE, which it truly is, it is inlined and
costs what ``to_char`` costs. ``to_char`` stays: building the text from ``date_part`` and
``lpad`` (IMMUTABLE), or from the timestamp's JSON or ISO text, is slower than it.

``ch_csv_text`` looks at its first character with ``ascii`` (a code point, no new string)
instead of ``left`` (a new one-character string per cell), and settles a cell led by a letter
with one comparison: the same test, a sixth of the cost.

The cells are the same bytes as before (``tests/exports/test_csv_functions.py``).
"""

from django.db import migrations

INLINED = r"""
CREATE OR REPLACE FUNCTION ch_csv_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- = + - @ tab CR are 61 43 45 64 9 13: a cell led by a letter (ids, statuses, most text)
  -- is settled by the first test. ascii('') is 0 and ascii(NULL) NULL: both stay as they are.
  SELECT CASE WHEN ascii(value) > 64 THEN value
              WHEN ascii(value) IN (61, 43, 45, 64, 9, 13) THEN '''' || value
              ELSE value END
$$;

CREATE OR REPLACE FUNCTION ch_csv_time(value timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
"""

# Migration 0003's definitions, for going back.
PREVIOUS = r"""
CREATE OR REPLACE FUNCTION ch_csv_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r')
              THEN '''' || value ELSE value END
$$;

CREATE OR REPLACE FUNCTION ch_csv_time(value timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("exports", "0004_csv_json_compact_without_recursion")]

    # One string each: the function bodies hold semicolons that must not split them.
    operations = [migrations.RunSQL([INLINED], [PREVIOUS], elidable=False)]
