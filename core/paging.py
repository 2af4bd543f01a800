"""A page of a large list and what is known of its total, for lists that never count all rows.

The orders and customers lists share it: the total is exact when it was cheap to know, else
the planner's estimate ("about 1.2 million"), else a lower bound ("10,000+").
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.humanize.templatetags.humanize import intcomma


def approximately(number: int) -> str:
    """``1_234_567`` → ``"1.2 million"``; ``23_456`` → ``"23,000"``; ``1_234`` → ``"1,200"``."""
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f} million".replace(".0 ", " ")
    return intcomma(round(number, -3) if number >= 10_000 else round(number, -2))


@dataclass(frozen=True)
class CountedPage:
    """One page of rows; ``noun`` names them in ``count_label``."""

    rows: list[Any]
    number: int
    per_page: int
    has_next: bool
    count: int | None  # exact, when it is known
    estimate: int | None  # the planner's estimate, when counting would be too dear
    at_least: int | None = None  # a lower bound, when neither of the above is known

    noun: ClassVar[str] = "row"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    @property
    def last_number(self) -> int | None:
        """The last page's number when the total is exact."""
        if self.count is None:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def total(self) -> int:
        """The best single figure for the total: exact, else estimated, else the bound (what
        the API's ``total`` reports)."""
        known = (self.count, self.estimate, self.at_least)
        return next((value for value in known if value is not None), 0)

    @property
    def count_label(self) -> str:
        """``"12,345 orders"``, ``"about 1.2 million orders"`` or ``"10,000+ orders"``."""
        if self.count is not None:
            return f"{intcomma(self.count)} {self.noun}{'' if self.count == 1 else 's'}"
        if self.estimate is not None:
            return f"about {approximately(self.estimate)} {self.noun}s"
        return f"{intcomma(self.at_least or 0)}+ {self.noun}s"


# Past this a page's offset (number × size) no longer fits PostgreSQL's bigint, and no list
# here is that long: a larger number is read as a mistake, not as a page.
MAX_PAGE = 1_000_000


def page_number(text: str | None) -> tuple[int, str | None]:
    """The page number ``?page=`` asks for and, when it can't be shown, why (page 1 then)."""
    if text is None or not text.strip():
        return 1, None
    try:
        number = int(text)
    except ValueError:
        return 1, f"Page '{text}' is not a page number; showing page 1."
    if number < 1:
        return 1, f"Page '{text}' is not a page number; showing page 1."
    if number > MAX_PAGE:
        return 1, f"Page '{text}' is past the last page (at most {MAX_PAGE:,}); showing page 1."
    return number, None
