"""Customers › Segments: the list, a segment's members, and the forms to manage them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.auth import signed_in
from core.lists import url_with
from core.views import DashboardView

from ..forms import SegmentForm
from ..models import Segment
from ..segments import TEMPLATES, describe
from ..selectors import customer_page, segment_members
from ..services import create_segment, delete_segment, update_segment
from .customer_list import page_params


class SegmentListView(DashboardView):
    """Saved segments and the built-in templates to start a new one from."""

    permission_required = ("customers.view_customer", "customers.view_segment")
    template_name = "customers/segment_list.html"
    nav = "segments"
    title = "Segments"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        segments = [
            (segment, describe(segment.conditions))
            for segment in Segment.objects.select_related("owner")
        ]
        templates = [(template, describe(template.conditions)) for template in TEMPLATES]
        return super().get_context_data(segments=segments, templates=templates, **kwargs)


class SegmentDetailView(DashboardView):
    """A segment's conditions, live member count, members and a link to their orders."""

    permission_required = ("customers.view_customer", "customers.view_segment")
    template_name = "customers/segment_detail.html"
    nav = "segments"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        segment = get_object_or_404(Segment, pk=self.kwargs["pk"])
        query = self.request.GET
        number, per_page = page_params(query, self.request)
        members = segment_members(self.request.user, segment).order_by(
            "-orders_total_amount", "-id"
        )
        # Biggest spenders first: the walk down customer_spent_idx meets the members of a
        # spend segment first, so sorting the matches separately would only cost time.
        page = customer_page(members, number=number, per_page=per_page, sort_after_filtering=False)
        base = segment.get_absolute_url()
        return super().get_context_data(
            segment=segment,
            conditions=describe(segment.conditions),
            page=page,
            previous_url=url_with(base, query, page=str(number - 1)) if page.has_previous else None,
            next_url=url_with(base, query, page=str(number + 1)) if page.has_next else None,
            orders_url=f"{reverse('orders:list')}?segment={segment.pk}",
            title=segment.name,
            **kwargs,
        )


class SegmentFormView(DashboardView):
    """Create a segment (optionally from a template: ``?template=high-spenders``) or edit one."""

    template_name = "customers/segment_form.html"
    nav = "segments"

    def get_permission_required(self) -> tuple[str, ...]:
        action = "change" if "pk" in self.kwargs else "add"
        return ("customers.view_segment", f"customers.{action}_segment")

    def get_segment(self) -> Segment | None:
        return get_object_or_404(Segment, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        segment = self.get_segment()
        if segment:
            initial = SegmentForm.initial_for(segment.conditions, segment.name)
        else:
            initial = SegmentForm.initial_from_template(request.GET.get("template", ""))
        return self._render(SegmentForm(initial=initial), segment)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        segment = self.get_segment()
        form = SegmentForm(request.POST)
        if form.is_valid():
            name, conditions = form.cleaned_data["name"], form.conditions()
            try:
                if segment is None:
                    segment = create_segment(
                        name=name, conditions=conditions, owner=signed_in(request)
                    )
                else:
                    segment = update_segment(segment, name=name, conditions=conditions)
            except ValidationError as error:
                form.apply_errors(error)
            else:
                messages.success(request, f"Segment {segment.name} saved.")
                return HttpResponseRedirect(segment.get_absolute_url())
        return self._render(form, segment, status=400)

    def _render(
        self, form: SegmentForm, segment: Segment | None, status: int = 200
    ) -> HttpResponse:
        title = f"Edit {segment.name}" if segment else "New segment"
        trail = [segment] if segment else []
        context = self.get_context_data(form=form, segment=segment, title=title, trail=trail)
        return self.render_to_response(context, status=status)


@login_required
@permission_required("customers.delete_segment", raise_exception=True)
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a segment (its customers stay); back to the segments list."""
    segment = get_object_or_404(Segment, pk=pk)
    delete_segment(segment)
    messages.success(request, f"Segment {segment.name} deleted.")
    return HttpResponseRedirect(reverse("customers:segments"))
