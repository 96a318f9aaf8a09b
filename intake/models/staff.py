"""The admissions team: roles, the roster, and who hears of new work."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from ..hours import Hours, centre_hours
from ..phones import normalise_phone
from .choices import Channel

ADMISSIONS_GROUP = "admissions"
SUPERVISOR_GROUP = "supervisor"
# Clinicians review screened leads and decide: accept for a programme, ask for more, refer out.
CLINICIAN_GROUP = "clinician"


# Where a user's group names are kept for the rest of a request (forgotten when their groups change).
_GROUPS_ATTR = "_lantern_group_names"


def group_names(user) -> frozenset[str]:
    """The names of `user`'s groups, read once per user object: a staff page asks about roles
    several times (the nav, the lead page's parts, the permission check), and each question would
    otherwise be a query."""
    names = getattr(user, _GROUPS_ATTR, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS_ATTR, names)
    return names


def forget_group_names(user) -> None:
    user.__dict__.pop(_GROUPS_ATTR, None)


def _in_group(user, *names: str) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or group_names(user) & set(names)))


def is_admissions(user) -> bool:
    """Admissions workers and supervisors work the queue; superusers may too."""
    return _in_group(user, ADMISSIONS_GROUP, SUPERVISOR_GROUP)


def is_supervisor(user) -> bool:
    return _in_group(user, SUPERVISOR_GROUP)


def is_clinician(user) -> bool:
    return _in_group(user, CLINICIAN_GROUP)


def staff_name(user) -> str:
    """How staff pages name a colleague: their full name, the username only where none is set."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# What a staff member (or a supervisor) sets on the roster page.
ROSTER_FIELDS = ["on_duty", "shift_hours", "on_call", "notify_by_email", "notify_by_sms", "mobile", "languages"]


def may_edit_roster_of(editor, member) -> bool:
    """Everyone edits their own row; a supervisor edits the rows of the admissions team, but not
    another supervisor's or a superuser's (whose alerts the supervisors themselves rely on): only
    a superuser does that."""
    if editor.pk == member.pk or (editor.is_active and editor.is_superuser):
        return True
    return is_supervisor(editor) and not is_supervisor(member)


class StaffProfile(models.Model):
    """What Lantern needs to know about a staff member beyond the auth user: the roster and
    how they want to be told about new work."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    on_duty = models.BooleanField(default=False, help_text="On-duty staff are notified of new requests.")
    shift_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="When this person is on shift, e.g. 'mon-fri 08:00-16:00'. Empty: whenever on duty.",
    )
    on_call = models.BooleanField(
        default=False,
        help_text="Alerted at once, by text and email, about urgent requests outside call-back hours.",
    )
    mobile = models.CharField(max_length=20, blank=True, help_text="For SMS alerts, in E.164 (+15551234567).")
    notify_by_email = models.BooleanField(default=True)
    notify_by_sms = models.BooleanField(default=False)
    facilities = models.ManyToManyField(
        "intake.Facility",
        blank=True,
        related_name="staff",
        help_text="The facilities this person works for. None: all of them.",
    )
    # Besides English: who a Spanish request reaches first (Notification.objects.queue_for_lead).
    languages = models.JSONField(
        default=list, blank=True, help_text="Languages this person speaks with callers, besides English."
    )
    # Raised by "sign out everywhere": a session started under an older generation is ended.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return f"Staff profile of {self.user}"

    def clean(self) -> None:
        if self.shift_hours:
            try:
                Hours.parse(self.shift_hours, settings.CENTRE_TIMEZONE)
            except ValueError as exc:
                raise ValidationError({"shift_hours": str(exc)}) from exc
        if self.notify_by_sms and not self.mobile:
            raise ValidationError({"mobile": "Add a mobile number for text alerts, or untick texts."})
        if self.mobile:
            e164 = normalise_phone(self.mobile)
            if e164 is None:
                raise ValidationError({"mobile": "Enter a mobile number we can text, with area code."})
            self.mobile = e164

    def on_shift(self, now: dt.datetime | None = None) -> bool:
        if not self.on_duty:
            return False
        if not self.shift_hours:
            return True
        return Hours.parse(self.shift_hours, settings.CENTRE_TIMEZONE).is_open(now or timezone.now())

    def channels(self, *, every: bool = False) -> list[str]:
        """The channels this person chose; with `every`, all they have (someone may be in danger)."""
        chosen = []
        if (every or self.notify_by_email) and self.user.email:
            chosen.append(Channel.EMAIL)
        if (every or self.notify_by_sms) and self.mobile:
            chosen.append(Channel.SMS)
        return chosen


def _staff_in(group: str):
    return (
        User.objects.filter(is_active=True, groups__name=group)
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )


def on_shift_admissions(now: dt.datetime | None = None) -> list[User]:
    """Admissions staff on duty and on shift now (possibly nobody)."""
    return [u for u in _staff_in(ADMISSIONS_GROUP) if hasattr(u, "staff_profile") and u.staff_profile.on_shift(now)]


def speaks(user, language: str) -> bool:
    """Everyone on the team speaks English; other languages are on their roster entry."""
    if language == settings.LANGUAGE_CODE:
        return True
    profile = getattr(user, "staff_profile", None)
    return profile is not None and language in (profile.languages or [])


def on_shift_speakers(language: str, now: dt.datetime | None = None) -> list[User]:
    """Admissions staff on shift now who speak `language` with callers (possibly nobody)."""
    return [user for user in on_shift_admissions(now) if speaks(user, language)]


def on_duty_admissions(now: dt.datetime | None = None) -> list[User]:
    """Admissions staff on duty and on shift now. Nobody on shift (a night, a holiday):
    the supervisors, so that no request goes unseen."""
    return on_shift_admissions(now) or supervisors()


def _on_call():
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[ADMISSIONS_GROUP, SUPERVISOR_GROUP], staff_profile__on_call=True
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )


def on_call_staff() -> list[User]:
    """Who is alerted about an urgent request outside call-back hours: the staff marked on call,
    or the supervisors when nobody is."""
    return list(_on_call()) or supervisors()


def team_at_work(now: dt.datetime | None = None) -> list[User]:
    """Admissions staff on shift during call-back hours: the people who answer danger in person.
    Empty at night, and on a day nobody is on shift."""
    now = now or timezone.now()
    return on_shift_admissions(now) if centre_hours().is_open(now) else []


def someone_on_hand_for_danger(now: dt.datetime | None = None) -> bool:
    """Whether an urgent request now reaches someone whose job is to answer it: the team at work,
    or staff on call. (Otherwise it falls back to the supervisors' inboxes.)"""
    return bool(team_at_work(now)) or _on_call().exists()


def supervisors() -> list[User]:
    return list(_staff_in(SUPERVISOR_GROUP))


def clinicians() -> list[User]:
    """Who reviews screened leads; the supervisors when no clinician has an account yet, so that a
    red flag is never heard by nobody."""
    return list(_staff_in(CLINICIAN_GROUP)) or supervisors()


def ensure_staff_groups() -> dict[str, Group]:
    names = (ADMISSIONS_GROUP, SUPERVISOR_GROUP, CLINICIAN_GROUP)
    return {name: Group.objects.get_or_create(name=name)[0] for name in names}


def end_sessions(user: User, **also) -> int:
    """End every session `user` has, at its next request: a session of an older generation is
    refused (intake.middleware.StaffSessionMiddleware). `also` sets other profile fields in the
    same UPDATE. Returns the new generation."""
    StaffProfile.objects.get_or_create(user=user)
    profiles = StaffProfile.objects.filter(user=user)
    profiles.update(session_generation=F("session_generation") + 1, **also)
    return profiles.values_list("session_generation", flat=True).get()


def deactivate_staff(user: User) -> None:
    """Staff accounts are deactivated, never deleted: the audit log goes on naming them. The
    account can no longer sign in, every session it has ends, and no alert or roster lists it."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        end_sessions(user, on_duty=False, on_call=False)
    user.is_active = False
