"""Where the Create order wizard keeps what was typed: one ``WizardDraft`` row per user.

formtools keeps a wizard's data in the session by default, so it would be lost on sign-out,
and the wizard used to start afresh on every visit. This storage reads the user's draft when
the wizard opens, writes it back after each request the wizard answers, and deletes it once
the wizard is reset (Save or Cancel). A wizard opened with no step posted yet is not a draft to
resume.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, QuerySet
from formtools.wizard.storage.base import BaseStorage

from core.auth import MISSING, user_extra

from .models import WizardDraft

# The storage's name for the Create order wizard (formtools prefixes the view's name).
CREATE_ORDER = "wizard_order_create_view"
# The name under which the signed-in user carries has_order_draft (core.auth).
HAS_ORDER_DRAFT = "has_order_draft"


def has_draft(user: User | AnonymousUser, wizard: str = CREATE_ORDER) -> bool:
    """Whether ``user`` has a draft to resume (the orders list offers it)."""
    if not user.is_authenticated:
        return False
    if wizard == CREATE_ORDER:
        known = user_extra(user, HAS_ORDER_DRAFT)  # read with the user (see OrdersConfig)
        if known is not MISSING:
            return known
    return _drafts(wizard, user=user).exists()


def _drafts(wizard: str, **lookups: Any) -> QuerySet[WizardDraft]:
    """The drafts of ``wizard`` with a step posted (the others are nothing to resume)."""
    return WizardDraft.objects.filter(wizard=wizard, **lookups).exclude(data__step_data={})


def has_order_draft() -> Exists:
    """Whether the user row has a Create order draft: read with every signed-in user."""
    return Exists(_drafts(CREATE_ORDER, user=OuterRef("pk")))


class DraftStorage(BaseStorage):
    """formtools storage backed by ``WizardDraft``, per signed-in user."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = self.request.user
        draft = None
        if self.user.is_authenticated:
            draft = WizardDraft.objects.filter(user=self.user, wizard=self.prefix).first()
        if draft is None:
            self.init_data()
        else:
            self.data = draft.data

    def has_entries(self) -> bool:
        """Whether a step has been posted (Next, Back or an in-step action)."""
        return bool(self.data.get(self.step_data_key))

    def update_response(self, response: Any) -> None:
        """Called by the wizard after every request: keep the draft, or drop it once reset."""
        super().update_response(response)
        if not self.user.is_authenticated:
            return
        drafts = WizardDraft.objects.filter(user=self.user, wizard=self.prefix)
        if self.current_step is None:  # reset by Save or Cancel
            drafts.delete()
        else:
            drafts.update_or_create(
                user=self.user, wizard=self.prefix, defaults={"data": self.data}
            )
