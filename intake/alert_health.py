"""Which alert channels are failing, said where people will see it: the roster (per person), the
queue (a banner while alerts reach nobody) and /healthz (a channel failing past its window).

Read from the outbox rows themselves, so what these pages say is what the worker saw: no separate
health state to drift from the truth.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from .models import Notification


@dataclass(frozen=True)
class ChannelTrouble:
    recipient_id: int | None  # None: the team chat
    channel: str
    since: dt.datetime
    waiting: int  # alerts still waiting for this channel
    refused: bool  # refused for good (nothing waiting)
    past_window: bool  # failing past NOTIFICATION_FALLBACK_SECONDS, or refused for good

    @property
    def channel_name(self) -> str:
        return {"email": "email", "sms": "texts", "webhook": "team chat"}.get(self.channel, self.channel)

    def describe(self, address: str = "") -> str:
        """e.g. "Email to avery@example.org failing since 10:04 (3 alerts waiting)"."""
        what = self.channel_name.capitalize() + (f" to {address}" if address else "")
        when = timezone.localtime(self.since).strftime("%H:%M")
        if self.refused:
            return f"{what} refused since {when}"
        alerts = "alert" if self.waiting == 1 else "alerts"
        return f"{what} failing since {when} ({self.waiting} {alerts} waiting)"


def channel_troubles(now: dt.datetime | None = None) -> list[ChannelTrouble]:
    """Every (person, channel) whose alerts are failing now, oldest trouble first."""
    now = now or timezone.now()
    status = Notification.Status
    waiting = Q(status__in=[status.PENDING, status.SENDING])
    failing = Notification.objects.failing(now)
    late = set(failing.failing_past_window(now).values_list("recipient_id", "channel").distinct())
    groups = (
        failing.values("recipient_id", "channel")
        .annotate(since=Min("created_at"), waiting=Count("pk", filter=waiting), refused_last=Max("finished_at"))
        .order_by("since")
    )
    troubles = []
    for group in groups:
        if not group["waiting"] and _got_through_since(group):
            continue  # the address was fixed (or the provider relented): later alerts arrive
        key = (group["recipient_id"], group["channel"])
        troubles.append(
            ChannelTrouble(
                recipient_id=group["recipient_id"],
                channel=group["channel"],
                since=group["since"],
                waiting=group["waiting"],
                refused=not group["waiting"],
                past_window=key in late,
            )
        )
    return troubles


def _got_through_since(group: dict) -> bool:
    return Notification.objects.filter(
        recipient_id=group["recipient_id"],
        channel=group["channel"],
        status=Notification.Status.SENT,
        finished_at__gt=group["refused_last"],
    ).exists()


def troubles_by_person(now: dt.datetime | None = None) -> dict[int | None, list[ChannelTrouble]]:
    by_person: dict[int | None, list[ChannelTrouble]] = {}
    for trouble in channel_troubles(now):
        by_person.setdefault(trouble.recipient_id, []).append(trouble)
    return by_person


def reaching_nobody_since(now: dt.datetime | None = None) -> dt.datetime | None:
    """When alerts stopped reaching anyone, if they have: some to people are failing past their
    window (or were refused for good), and no alert to anyone has been delivered since the oldest
    of those was queued."""
    late = Notification.objects.failing_past_window(now).filter(recipient__isnull=False)
    oldest = late.aggregate(oldest=Min("created_at"))["oldest"]
    if oldest is None:
        return None
    reached = Notification.objects.filter(
        recipient__isnull=False, status=Notification.Status.SENT, finished_at__gte=oldest
    ).exists()
    return None if reached else oldest


def health_check(now: dt.datetime | None = None) -> str:
    """For /healthz: "ok", or which channels have been failing past their window."""
    now = now or timezone.now()
    # A refused address is one person's (the roster shows it); a channel still failing past its
    # window is the operator's: the provider is down, or our login or account is refused.
    late = [t for t in channel_troubles(now) if t.past_window and not t.refused]
    if not late:
        return "ok"
    channels = sorted({t.channel for t in late})
    since = min(t.since for t in late)
    return f"error: alerts by {', '.join(channels)} failing since {since.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"
