"""SQL functions that format export cells inside PostgreSQL, so ``COPY (SELECT …) TO STDOUT``
writes the finished CSV without a Python loop over the rows (``exports.csv_format`` names the
function of each cell).
"""

from django.db import migrations

FUNCTIONS = r"""
-- A text cell safe to open in a spreadsheet: OWASP's CSV-injection rule, a leading quote
-- before = + - @ tab or carriage return.
CREATE OR REPLACE FUNCTION ch_csv_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r')
              THEN '''' || value ELSE value END
$$;

-- jsonb as compact JSON (no blanks after , and :), like json.dumps(separators=(",", ":")).
-- jsonb's own text form puts blanks there, and a regular expression cannot tell them from
-- blanks inside strings; hence the walk.
CREATE OR REPLACE FUNCTION ch_json_compact(value jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  CASE jsonb_typeof(value)
  WHEN 'object' THEN
    RETURN '{' || coalesce((
      SELECT string_agg(to_jsonb(key)::text || ':' || ch_json_compact(item), ',' ORDER BY ord)
      FROM jsonb_each(value) WITH ORDINALITY AS entry(key, item, ord)), '') || '}';
  WHEN 'array' THEN
    RETURN '[' || coalesce((
      SELECT string_agg(ch_json_compact(item), ',' ORDER BY ord)
      FROM jsonb_array_elements(value) WITH ORDINALITY AS entry(item, ord)), '') || ']';
  ELSE
    RETURN value::text;
  END CASE;
END
$$;

-- One metadata key as a cell: strings as text (neutralized), numbers and booleans as they
-- read in JSON, arrays and objects as compact JSON, missing or null as empty.
CREATE OR REPLACE FUNCTION ch_csv_meta(metadata jsonb, key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(metadata -> key)
         WHEN 'string' THEN ch_csv_text(metadata ->> key)
         WHEN 'object' THEN ch_json_compact(metadata -> key)
         WHEN 'array' THEN ch_json_compact(metadata -> key)
         ELSE metadata ->> key END
$$;

-- A moment as the reference writes it: UTC, milliseconds, Z (2022-03-09T09:16:32.521Z).
CREATE OR REPLACE FUNCTION ch_csv_time(value timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(value AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS ch_csv_time(timestamptz);
DROP FUNCTION IF EXISTS ch_csv_meta(jsonb, text);
DROP FUNCTION IF EXISTS ch_json_compact(jsonb);
DROP FUNCTION IF EXISTS ch_csv_text(text);
"""


class Migration(migrations.Migration):
    dependencies = [("exports", "0002_export_attempts_heartbeat_expiry")]

    # One string each: the function bodies hold semicolons that must not split them.
    operations = [migrations.RunSQL([FUNCTIONS], [DROP], elidable=False)]
