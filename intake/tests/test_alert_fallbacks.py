"""A human is always reached: an alert whose channel fails goes to the person's other channels, then
to every supervisor; it still waits for its own channel, and is closed unsent once it cannot help."""

import datetime as dt
from urllib.parse import parse_qs

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from intake.models import Notification, StaffProfile
from intake.tasks import fall_back_failing_alerts
from intake.tests.helpers import receive_callback
from outbox.tests.helpers import deliver, retry_now


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch, settings):
    # These tests deliver rows themselves; a test worker left running must not take them.
    monkeypatch.setattr("intake.models.notification.nudge", lambda model, **kwargs: False)
    settings.CHAT_WEBHOOK_URL = ""
    settings.NOTIFICATION_FALLBACK_SECONDS = 120


@pytest.fixture
def team(staff, http_inbox, settings):
    """Avery is the one on shift and chose email only, but has a mobile; Sam supervises, with a mobile."""
    settings.CHAT_WEBHOOK_URL = ""  # the team chat is optional: here nobody has one
    for user in staff.values():
        StaffProfile.objects.filter(user=user).update(on_duty=False)
    StaffProfile.objects.filter(user=staff["avery"]).update(on_duty=True, mobile="+14155550101")
    StaffProfile.objects.filter(user=staff["sam"]).update(mobile="+14155550199")
    return staff


def callback(phone="+14155552671", danger="no"):
    return receive_callback(
        {"name": "Jordan", "phone": phone, "in_danger": danger},
        consent_version="v",
        consent_page="/callback/",
        attribution={},
    )


def texts_to(http_inbox) -> list[str]:
    return [parse_qs(message["body"].decode())["To"][0] for message in http_inbox.received("/Messages.json")]


def age(rows, seconds: int) -> None:
    """As if the rows had been queued `seconds` ago."""
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=F("created_at") - dt.timedelta(seconds=seconds)
    )


@pytest.mark.django_db
def test_an_email_still_failing_after_the_window_goes_by_text_then_to_the_supervisors(team, mailbox, http_inbox):
    lead = callback()
    email = lead.notifications.get()
    assert (email.recipient, email.channel) == (team["avery"], "email")
    mailbox.refuse_next = 100
    deliver(email)
    assert email.status == "pending"

    assert fall_back_failing_alerts() == 0  # inside the window: only the retry
    age([email], 121)
    assert fall_back_failing_alerts() == 1
    text = lead.notifications.get(channel="sms")
    assert (text.recipient, text.stage, text.fallback_of) == (team["avery"], 1, email)

    http_inbox.fail_next = 100  # the text provider is down too
    deliver(text)
    age([text], 121)
    assert fall_back_failing_alerts() == 1
    to_supervisor = {n.channel for n in lead.notifications.filter(recipient=team["sam"])}
    assert to_supervisor == {"email", "sms"}

    http_inbox.fail_next = 0
    deliver(*lead.notifications.filter(recipient=team["sam"], channel="sms"))
    assert "+14155550199" in texts_to(http_inbox)
    assert fall_back_failing_alerts() == 0  # each alert falls back once
    email.refresh_from_db()
    assert email.status == "pending"  # and still waits for the mail server


@pytest.mark.django_db
def test_a_refusal_for_good_falls_back_at_once(team, mailbox, http_inbox):
    StaffProfile.objects.filter(user=team["avery"]).update(notify_by_email=False, notify_by_sms=True)
    lead = callback()
    text = lead.notifications.get()
    StaffProfile.objects.filter(user=team["avery"]).update(mobile="")  # removed after the alert was queued

    deliver(text)
    assert text.status == "failed" and "no mobile number" in text.last_error
    email = lead.notifications.get(channel="email")
    assert (email.recipient, email.stage) == (team["avery"], 1)
    deliver(email)
    assert [m["to"] for m in mailbox.wait_for(1, timeout=2)] == [["avery@lantern.example"]]


@pytest.mark.django_db
def test_someone_reached_on_another_channel_is_not_escalated_to_the_supervisors(team, mailbox, http_inbox):
    StaffProfile.objects.filter(user=team["avery"]).update(notify_by_sms=True)
    lead = callback()
    mailbox.refuse_next = 100
    deliver(*lead.notifications.all())
    assert set(lead.notifications.values_list("channel", "status")) == {("email", "pending"), ("sms", "sent")}

    age(lead.notifications.all(), 600)
    fall_back_failing_alerts()
    assert not lead.notifications.filter(recipient=team["sam"]).exists()


@pytest.mark.django_db
def test_an_alert_for_a_request_someone_claimed_is_closed_unsent(team, mailbox):
    lead = callback()
    email = lead.notifications.get()
    mailbox.refuse_next = 1
    deliver(email)
    lead.claim(by=team["blake"])

    retry_now(email)
    assert (email.status, email.last_error) == ("closed", "Closed unsent: someone has claimed the request.")
    assert mailbox.messages == []
    age([email], 600)
    assert fall_back_failing_alerts() == 0


@pytest.mark.django_db
def test_the_first_alert_through_after_an_outage_brings_the_others_with_it(team, mailbox):
    leads = [callback(phone=f"+1415555267{n}") for n in range(3)]
    emails = [lead.notifications.get() for lead in leads]
    mailbox.refuse_next = 3
    deliver(*emails)
    assert [e.status for e in emails] == ["pending"] * 3
    later = timezone.now() + dt.timedelta(seconds=20)
    assert all(e.due_at > later for e in emails)

    retry_now(emails[0])  # the mail server is back
    for email in emails[1:]:
        email.refresh_from_db()
        assert email.due_at <= timezone.now()  # due now, not at their next retry
    Notification.objects.deliver_due()
    assert len(mailbox.wait_for(3, timeout=2)) == 3


@pytest.mark.django_db
def test_an_urgent_request_goes_by_every_channel_and_before_the_routine_backlog(team, mailbox, http_inbox):
    routine = [callback(phone=f"+1415555267{n}") for n in range(5)]
    urgent = callback(phone="+14155559999", danger="yes")

    assert set(urgent.notifications.values_list("channel", flat=True)) == {"email", "sms"}
    first = Notification.objects.claim(2)
    assert {row.lead_id for row in first} == {urgent.pk}
    assert all(lead.notifications.get().status == "pending" for lead in routine)


@pytest.mark.django_db
def test_staff_and_operators_are_told_which_channels_fail(team, mailbox, client):
    lead = callback()
    email = lead.notifications.get()
    mailbox.refuse_next = 100
    deliver(email)
    client.force_login(team["sam"])

    roster = client.get(reverse("staff:roster")).content.decode()
    since = timezone.localtime(email.created_at).strftime("%H:%M")
    assert f"Email to avery@lantern.example failing since {since} (1 alert waiting)" in roster
    assert client.get("/healthz").json()["alerts"] == "ok"  # still inside its window
    assert "Alerts are reaching nobody" not in client.get(reverse("staff:queue")).content.decode()

    age([email], 121)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["alerts"].startswith("error: alerts by email failing since")
    assert "Alerts are reaching nobody" in client.get(reverse("staff:queue")).content.decode()

    mailbox.refuse_next = 0  # the mail server is back
    retry_now(email)
    assert client.get("/healthz").json()["alerts"] == "ok"
    assert "failing since" not in client.get(reverse("staff:roster")).content.decode()


@pytest.mark.django_db
def test_a_failing_fallback_does_not_wake_the_supervisors_once_the_first_channel_got_through(team, mailbox, http_inbox):
    lead = callback()
    email = lead.notifications.get()
    mailbox.refuse_next = 1
    deliver(email)
    age([email], 121)
    fall_back_failing_alerts()
    text = lead.notifications.get(channel="sms")
    http_inbox.fail_next = 100
    deliver(text)
    retry_now(email)  # the mail server is back: Avery has it
    assert email.status == "sent"

    age([text], 121)
    fall_back_failing_alerts()
    assert not lead.notifications.filter(recipient=team["sam"]).exists()


@pytest.mark.django_db
def test_a_text_refused_for_good_does_not_repeat_an_email_that_got_through(team, mailbox, http_inbox):
    StaffProfile.objects.filter(user=team["avery"]).update(notify_by_sms=True)
    lead = callback()
    StaffProfile.objects.filter(user=team["avery"]).update(mobile="")  # the text is refused for good

    deliver(*lead.notifications.order_by("pk"))

    assert sorted(lead.notifications.values_list("channel", "status")) == [("email", "sent"), ("sms", "failed")]
    assert len(mailbox.wait_for(1, timeout=2)) == 1


@pytest.mark.django_db
def test_an_urgent_alert_goes_to_the_supervisors_on_its_first_failure(team, mailbox, http_inbox):
    lead = callback(danger="yes")
    mailbox.refuse_next, http_inbox.fail_next = 100, 100  # email and texts both down

    deliver(*lead.notifications.filter(recipient=team["avery"]))

    # No two-minute wait when someone may be in danger.
    assert {n.channel for n in lead.notifications.filter(recipient=team["sam"], stage=2)} == {"email", "sms"}


@pytest.mark.django_db
def test_a_text_provider_refusing_our_account_falls_back_at_once_and_keeps_the_text(team, mailbox, http_inbox):
    StaffProfile.objects.filter(user=team["avery"]).update(notify_by_email=False, notify_by_sms=True)
    lead = callback()
    text = lead.notifications.get()
    http_inbox.status_next = 401  # our credentials refused: broken for everyone until fixed

    deliver(text)

    assert text.status == "pending" and "401" in text.last_error
    assert lead.notifications.filter(recipient=team["avery"], channel="email", stage=1).exists()


@pytest.mark.django_db
def test_the_queue_says_alerts_reach_nobody_when_every_one_is_refused_for_good(team, mailbox, client):
    StaffProfile.objects.filter(user=team["avery"]).update(notify_by_email=False, notify_by_sms=True)
    StaffProfile.objects.filter(user=team["sam"]).update(mobile="")
    team["sam"].email = ""
    team["sam"].save()
    lead = callback()
    StaffProfile.objects.filter(user=team["avery"]).update(mobile="")  # refused for good; no fallback left

    deliver(*lead.notifications.all())
    client.force_login(team["avery"])

    assert "Alerts are reaching nobody" in client.get(reverse("staff:queue")).content.decode()
