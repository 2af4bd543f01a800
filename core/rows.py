"""Rows read and written without building and compiling a query each time.

Every API write looks rows up by a unique field (the order by id or source ID, locked; the
customer and the catalogue products by source ID) and inserts a new order, its items and its
event. Through the ORM each statement builds a ``QuerySet`` and compiles it, 0.3–0.4 ms of
CPU for a statement PostgreSQL answers in a few hundredths of that: at six statements per
request, about half of a create's Python (measured for issue 18).

``rows_where(Model, "field", values)`` (a text field: ids, source IDs) returns what
``Model.objects.filter(field__in=values).order_by()`` returns (``first=True``: at most one
row, ``for_update=True``: ``select_for_update()``), model instances with every field
converted as the ORM converts it. The ORM compiles the statement once per process and
shape (model, field, number of values, options); only the values change between calls.

``insert_together(rows, ..., update=[...])`` inserts new instances of several models (and
saves stored ones) in one statement, as ``save(force_insert=True)`` / ``bulk_create`` /
``save()`` would (same columns, values prepared by each field), and sets the ids the
database gave them.
"""

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import AutoField, Model

_compiled: dict[tuple[Any, ...], tuple[str, list[str], dict[int, Any]]] = {}


def _compile(
    model: type[Model], field: str, count: int, *, first: bool, for_update: bool, using: str
) -> tuple[str, list[str], dict[int, Any]]:
    key = (model, field, count, first, for_update, using)
    found = _compiled.get(key)
    if found is not None:
        return found
    placeholders = [f"value {index}" for index in range(count)]
    queryset = model._default_manager.using(using).filter(**{f"{field}__in": placeholders})
    queryset = queryset.order_by()
    if for_update:
        queryset = queryset.select_for_update()
    if first:
        queryset = queryset[:1]
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    # The statement must take exactly the values, in order, as its parameters: then running
    # it with other values is running the queryset built with them.
    if list(params) != placeholders:
        raise ValueError(f"{model.__name__}.{field}: a look-up with other parameters")
    columns = [column for column, _, _ in compiler.select]
    names = [column.target.attname for column in columns]
    if names != [f.attname for f in model._meta.concrete_fields]:
        raise ValueError(f"{model.__name__}: the statement does not select every field")
    converters = compiler.get_converters(columns)
    found = (sql, names, converters)
    _compiled[key] = found
    return found


def rows_where[M: Model](
    model: type[M],
    field: str,
    values: Sequence[Any],
    *,
    first: bool = False,
    for_update: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> list[M]:
    """The ``model`` instances whose ``field`` is one of ``values``, in no particular order
    (``first``: at most one; ``for_update``: their rows locked). See the module docstring."""
    if not values:
        return []
    sql, names, converters = _compile(
        model, field, len(values), first=first, for_update=for_update, using=using
    )
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, list(values))
        rows = cursor.fetchall()
    if converters:  # as SQLCompiler.apply_converters does (JSON fields' from_db_value)
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters.items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        rows = converted
    return [model.from_db(using, names, row) for row in rows]


def row_where[M: Model](
    model: type[M], field: str, value: Any, *, for_update: bool = False
) -> M | None:
    """The ``model`` instance whose (unique) ``field`` is ``value``, else ``None``."""
    found = rows_where(model, field, [value], first=True, for_update=for_update)
    return found[0] if found else None


_statements: dict[tuple[Any, ...], tuple[str, list[list[Any]], list[list[Any]]]] = {}


def _quoted(fields: list[Any]) -> list[str]:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return [quote(field.column) for field in fields]


def _statement(
    updated: Sequence[Model], groups: Sequence[Sequence[Model]]
) -> tuple[str, list[list[Any]], list[list[Any]]]:
    """The statement for these updated instances' models and the groups' models and sizes;
    each updated instance's fields (set, then the key) and each group's (inserted)."""
    key = (tuple(type(instance) for instance in updated),) + tuple(
        (type(group[0]), len(group)) for group in groups
    )
    found = _statements.get(key)
    if found is not None:
        return found
    ctes, selects, update_fields, insert_fields = [], [], [], []
    for index, instance in enumerate(updated):
        opts = type(instance)._meta
        fields = [f for f in opts.concrete_fields if not f.primary_key]
        assignments = ", ".join(f"{column} = %s" for column in _quoted(fields))
        ctes.append(
            f"u{index} AS (UPDATE {opts.db_table} SET {assignments} "
            f"WHERE {_quoted([opts.pk])[0]} = %s RETURNING 1)"
        )
        # -1 - index: the update of ``updated[index]`` found its row.
        selects.append(f"SELECT {-1 - index}, NULL FROM u{index}")
        update_fields.append([*fields, opts.pk])
    for index, group in enumerate(groups):
        opts = type(group[0])._meta
        generated = isinstance(opts.pk, AutoField)  # BigAutoField included
        fields = [f for f in opts.concrete_fields if not (generated and f.primary_key)]
        database_only = [f.name for f in fields if f.has_db_default() and not f.has_default()]
        if database_only:
            # Their value on a new instance is an expression only the ORM's insert writes.
            raise ValueError(f"{opts.label}: fields with only a database default: {database_only}")
        values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(group))
        returning = f" RETURNING {opts.pk.column}" if generated else ""
        insert = (
            f"INSERT INTO {opts.db_table} ({', '.join(_quoted(fields))}) VALUES {values}{returning}"
        )
        ctes.append(f"g{index} AS ({insert})")
        if generated:
            selects.append(f"SELECT {index}, {opts.pk.column} FROM g{index}")
        insert_fields.append(fields)
    # Every data-modifying CTE runs whether the final SELECT reads it or not.
    final = " UNION ALL ".join(selects) or "SELECT NULL, NULL"
    found = (f"WITH {', '.join(ctes)} {final}", update_fields, insert_fields)
    _statements[key] = found
    return found


def insert_together(
    *groups: Sequence[Model], update: Sequence[Model] = (), using: str = DEFAULT_DB_ALIAS
) -> None:
    """Insert each group's new instances (one model per group; empty groups skipped) in one
    statement, in the order given; instances of a model with a generated id get it, and
    every instance is marked saved, as ``bulk_create`` marks them. Constraints checked at
    the end of the statement (or deferred, as Django's foreign keys are) see every row.

    ``update``: stored instances saved in the same statement, every field, as ``save()``
    saves them; a row no longer there is an error, as with ``save(force_update=True)``."""
    groups = tuple(group for group in groups if group)
    if not groups and not update:
        return
    sql, update_fields, insert_fields = _statement(update, groups)
    connection = connections[using]
    params: list[Any] = []
    for instance, fields in zip(update, update_fields, strict=True):
        params.extend(
            field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
        )
    for group, fields in zip(groups, insert_fields, strict=True):
        for instance in group:
            params.extend(
                field.get_db_prep_save(field.pre_save(instance, True), connection)
                for field in fields
            )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    ids: dict[int, list[Any]] = {}
    for index, pk in returned:
        if index is not None:
            ids.setdefault(index, []).append(pk)
    for index, instance in enumerate(update):
        if -1 - index not in ids:
            raise DatabaseError(f"{type(instance).__name__} {instance.pk} was not updated.")
    for group_ids in ids.values():
        # The sequence gives the rows their ids in the order of the VALUES.
        group_ids.sort()
    for index, group in enumerate(groups):
        for position, instance in enumerate(group):
            if index in ids:
                instance.pk = ids[index][position]
            instance._state.adding = False
            instance._state.db = using
