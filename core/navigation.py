"""The dashboard's navigation as data: the sidebar's entries and the one breadcrumb rule.

Every page's breadcrumb reads ``Campaign hub › [group ›] section › [trail ›] page``: the
section is the navigation entry the view names (``DashboardView.nav``), the trail the records
between that section and the page (an order above its Edit page, given by the view as
``trail=[order]``), and the page its title. A page inside no section (403, 404) is
``Campaign hub › page``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

ROOT_LABEL = "Campaign hub"


class HasPage(Protocol):
    """A record with a page of its own (a model with ``get_absolute_url``)."""

    def get_absolute_url(self) -> str: ...


@dataclass(frozen=True)
class NavEntry:
    """A section of the dashboard: where its page is and who may open it.

    ``group`` is the heading it sits under in the sidebar (and in breadcrumbs);
    ``in_sidebar`` is false for sections reached another way (the bell's Notifications).
    """

    key: str
    label: str
    url_name: str
    permissions: tuple[str, ...] = ()
    group: str = ""
    in_sidebar: bool = True

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def visible_to(self, user: User | AnonymousUser) -> bool:
        return user.is_authenticated and user.has_perms(self.permissions)


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("orders", "Orders", "orders:list", ("orders.view_order",)),
    NavEntry("customers", "Customers", "customers:list", ("customers.view_customer",)),
    NavEntry(
        "segments",
        "Segments",
        "customers:segments",
        ("customers.view_customer", "customers.view_segment"),
    ),
    NavEntry("exports", "Exports", "exports:list", ("orders.export_order",), group="Audit log"),
    NavEntry(
        "settings",
        "Metadata schemas",
        "settings:metadata-schemas",
        ("metadata.view_metadataschema",),
        group="Project settings",
    ),
    # Every signed-in user has a Notifications Center; the bell in the top bar leads to it.
    NavEntry("notifications", "Notifications", "notifications", in_sidebar=False),
)

ENTRIES = {entry.key: entry for entry in NAVIGATION}


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb; no ``url`` for a step that is not a page (a group)."""

    label: str
    url: str = ""

    @classmethod
    def of(cls, record: HasPage, label: str | None = None) -> "Crumb":
        """The crumb of a record's page (``record.get_absolute_url()``)."""
        return cls(label or str(record), record.get_absolute_url())


@dataclass(frozen=True)
class SidebarGroup:
    heading: str
    entries: list[NavEntry]


def sidebar_for(user: User | AnonymousUser) -> list[SidebarGroup]:
    """The sidebar's entries ``user`` may open, in groups, ungrouped entries first."""
    groups: dict[str, list[NavEntry]] = {}
    for entry in NAVIGATION:
        if entry.in_sidebar and entry.visible_to(user):
            groups.setdefault(entry.group, []).append(entry)
    return [SidebarGroup(heading, entries) for heading, entries in groups.items()]


def home_url_for(user: User | AnonymousUser) -> str:
    """The first page ``user`` may open: the way back from a page they may not see.

    A signed-in user without any permission still has their Notifications Center; nobody
    signed in has the sign-in page.
    """
    for entry in NAVIGATION:
        if entry.visible_to(user):
            return entry.url
    return reverse("login")


def breadcrumbs(
    *, nav: str, title: str, trail: Iterable[Crumb | HasPage] = (), home_url: str = "/"
) -> Sequence[Crumb]:
    """The page's breadcrumb by the one rule (see the module's docstring).

    A record in ``trail`` stands for its page (``Crumb.of``). The last crumb is the page
    itself and carries no link; a section's own page (the orders list, titled "Orders") ends
    at the section.
    """
    crumbs = [Crumb(ROOT_LABEL, home_url)]
    if entry := ENTRIES.get(nav):
        if entry.group:
            crumbs.append(Crumb(entry.group))
        crumbs.append(Crumb(entry.label, entry.url))
    crumbs.extend(step if isinstance(step, Crumb) else Crumb.of(step) for step in trail)
    if title and title != crumbs[-1].label:
        crumbs.append(Crumb(title))
    crumbs[-1] = Crumb(crumbs[-1].label)
    return crumbs
