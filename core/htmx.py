"""The type of a request that went through django-htmx's middleware (django-htmx's own
recipe for type checkers): ``request.htmx`` is set on every request (settings.MIDDLEWARE)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
