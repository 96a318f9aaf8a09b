"""The one fact of the centre profile that every page shows, its name, kept in the Django cache
so a page outside the page cache (a form, a staff page) asks the database nothing for it.

Forgotten whenever anything of the centre is saved (centre.signals); settings.CENTRE_NAME stands in
while no profile exists, and while the database or the cache cannot answer.
"""

import contextlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from intake.context_processors import centre

from .models import CentreProfile

log = logging.getLogger(__name__)

NAME_KEY = "centre:name"
# Long: a save forgets it at once; the timeout only bounds a copy orphaned by a failed delete.
NAME_SECONDS = 3600


def current_name() -> str:
    """The profile's name, from the cache when it can; the configured name without a profile."""
    try:
        name = cache.get(NAME_KEY)
    except Exception as exc:  # noqa: BLE001 - a cache outage costs a query, never the page
        log.warning("Centre name cache unavailable (%s)", type(exc).__name__)
        name = None
    if isinstance(name, str):
        return name or settings.CENTRE_NAME
    try:
        profile = CentreProfile.objects.only("name").current()
    except DatabaseError as exc:
        log.warning("Centre profile unreadable (%s); showing the configured name", type(exc).__name__)
        return settings.CENTRE_NAME
    # "" for no profile: the configured name is read afresh, so a new CENTRE_NAME shows at once.
    name = profile.name if profile else ""
    with contextlib.suppress(Exception):  # a cache outage: the next page asks the database again
        cache.set(NAME_KEY, name, timeout=NAME_SECONDS)
    return name or settings.CENTRE_NAME


def forget_name() -> None:
    try:
        cache.delete(NAME_KEY)
    except Exception as exc:  # noqa: BLE001 - the copy then lives out its timeout
        log.warning("Could not forget the cached centre name: %s", type(exc).__name__)


def centre_story(request: HttpRequest) -> dict:
    """intake's `centre` facts (phone, hours, whether the line is answered now) with the profile's
    name in place of the configured one. Listed instead of intake's processor, so those facts are
    worked out once per page; the 500 page still renders from intake's alone (settings only)."""
    facts = centre(request)["centre"]
    return {"centre": {**facts, "name": SimpleLazyObject(current_name)}}
