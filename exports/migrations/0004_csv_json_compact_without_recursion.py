"""``ch_json_compact`` without recursion, so no stored value can make an export fail.

The walk of migration 0003 called itself once per level of nesting: a value nested a
thousand levels deep ended the whole export with "stack depth limit exceeded". jsonb's own
text form is written by PostgreSQL without that limit; only its blanks after ``,`` and ``:``
have to go. One regular expression removes them and nothing else: it reads the text left
to right and consumes every string (``"…"`` with its escapes) whole, so a blank inside a
string is never seen as one between tokens. The cells are the same as before (same key
order, same numbers), and the function is plain SQL, which PostgreSQL can inline.
"""

from django.db import migrations

# \1 is a whole string, kept as it is; \2 is a , or : followed by a blank, kept without it.
COMPACT = r"""
CREATE OR REPLACE FUNCTION ch_json_compact(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(value::text, '("(?:[^"\\]|\\.)*")|([,:]) ', '\1\2', 'g')
$$;
"""

# Migration 0003's walk, for going back.
WALK = r"""
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
"""


class Migration(migrations.Migration):
    dependencies = [("exports", "0003_csv_functions")]

    # One string each: the function bodies hold semicolons that must not split them.
    operations = [migrations.RunSQL([COMPACT], [WALK], elidable=False)]
