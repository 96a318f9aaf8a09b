"""The roster: who is on duty, on which shift, alerted how. Whether an urgent request reaches a
person depends on these rows, so every change is audited (auditlog tracks StaffProfile) and a
supervisor may not edit another supervisor's or a superuser's row (see may_edit_roster_of)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .alert_health import troubles_by_person
from .models import Facility, StaffProfile, may_edit_roster_of, staff_name
from .permissions import admissions_required
from .roster_forms import RosterForm


@admissions_required
def roster(request: HttpRequest) -> HttpResponse:
    """Who is on duty, on which shift, reached how. Staff edit their own row; supervisors anyone's."""
    several_facilities = Facility.objects.several()
    profiles = StaffProfile.objects.filter(user__is_active=True, user__groups__name__in=["admissions", "supervisor"])
    if several_facilities:  # one query for everyone's, not one per row
        profiles = profiles.prefetch_related("facilities")
    profiles = sorted(
        profiles.select_related("user").distinct(),
        key=lambda profile: staff_name(profile.user).casefold(),
    )
    now = timezone.now()
    troubles = troubles_by_person(now)
    return render(
        request,
        "staff/roster.html",
        {
            "rows": [
                (p, p.on_shift(now), may_edit_roster_of(request.user, p.user), _failing(p, troubles), _languages(p))
                for p in profiles
            ],
            "several_facilities": several_facilities,
            "chat_troubles": [t.describe() for t in troubles.get(None, [])],
            "on_call_count": sum(p.on_call for p in profiles),
            "urgent_minutes": settings.URGENT_RESPONSE_MINUTES,
            "fallback_minutes": max(settings.NOTIFICATION_FALLBACK_SECONDS // 60, 1),
            "language_first_minutes": max(settings.LANGUAGE_FIRST_SECONDS // 60, 1),
        },
    )


def _languages(profile: StaffProfile) -> str:
    """The languages this person speaks with callers, each in its own name ("English, Español")."""
    names = dict(settings.LANGUAGES)
    return ", ".join(["English", *(names[code] for code in profile.languages or [] if code in names)])


def _failing(profile: StaffProfile, troubles: dict) -> list[str]:
    """What is failing for this person, with the address it fails on (staff contacts are not PHI)."""
    addresses = {"email": profile.user.email, "sms": profile.mobile}
    return [t.describe(addresses.get(t.channel, "")) for t in troubles.get(profile.user_id, [])]


@admissions_required
def roster_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id, is_active=True)
    if not may_edit_roster_of(request.user, member):
        raise PermissionDenied
    profile, _ = StaffProfile.objects.get_or_create(user=member)
    form = RosterForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()  # audited by auditlog, with the editor (see IntakeConfig.ready)
        messages.success(request, f"Saved {staff_name(member)}'s roster and alerts.")
        return redirect("staff:roster")
    return render(request, "staff/roster_edit.html", {"form": form, "member": member})
