"""The operators' admin for orders, their items and events, and the orders list's saved views.

Orders change only through ``orders.services``: the order form validates with the service's
rules, and saving, deleting, the bulk status actions and the import all call the service with
the operator as the actor, so every change leaves an activity event like any other. Items and
events are read-only here for the same reason.
"""

from . import activity, order, saved_views

__all__ = ["activity", "order", "saved_views"]
