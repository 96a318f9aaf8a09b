"""The few facts of the centre profile that every page shows (its name), kept in the Django cache
so a page outside the page cache (a form, a staff page) asks the database nothing for them.

Forgotten whenever anything of the centre is saved (centre.signals); settings.CENTRE_NAME stands in
while no profile exists, and while the database or the cache cannot answer.
"""

import contextlib
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from intake.context_processors import centre

from .models import CentreProfile

log = logging.getLogger(__name__)

STORY_KEY = "centre:story"
# Long: a save forgets it at once; the timeout only bounds a copy orphaned by a failed delete.
STORY_SECONDS = 3600


@dataclass(frozen=True)
class Story:
    name: str
    has_profile: bool


def from_settings() -> Story:
    return Story(name=settings.CENTRE_NAME, has_profile=False)


def current_story() -> Story:
    try:
        cached = cache.get(STORY_KEY)
    except Exception as exc:  # noqa: BLE001 - a cache outage costs a query, never the page
        log.warning("Centre story cache unavailable (%s)", type(exc).__name__)
        cached = None
    if isinstance(cached, dict):
        return Story(**cached)
    try:
        profile = CentreProfile.objects.only("name").current()
    except DatabaseError as exc:
        log.warning("Centre profile unreadable (%s); showing the configured name", type(exc).__name__)
        return from_settings()
    story = Story(name=profile.name, has_profile=True) if profile else from_settings()
    with contextlib.suppress(Exception):  # a cache outage: the next page asks the database again
        cache.set(STORY_KEY, asdict(story), timeout=STORY_SECONDS)
    return story


def forget_story() -> None:
    try:
        cache.delete(STORY_KEY)
    except Exception as exc:  # noqa: BLE001 - the copy then lives out its timeout
        log.warning("Could not forget the cached centre story: %s", type(exc).__name__)


def centre_story(request: HttpRequest) -> dict:
    """intake's `centre` facts (phone, hours, whether the line is answered now) with the profile's
    name in place of the configured one. Listed instead of intake's processor, so those facts are
    worked out once per page; the 500 page still renders from intake's alone (settings only)."""
    facts = centre(request)["centre"]
    story = SimpleLazyObject(current_story)
    return {"centre": {**facts, "name": SimpleLazyObject(lambda: story.name)}}
