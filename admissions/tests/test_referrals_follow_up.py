"""Closing the loop: staff record what became of a referral (accepted, arrived, lost with why), kept
as history; until it is closed the referrer is reminded, once per due time, with no PHI."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from admissions.lead_part_referrals import Referrals
from admissions.models import Referral, ReferralState
from admissions.tasks import remind_referral_follow_ups
from intake.channels import message_context, render_email, render_text
from intake.models import Notification
from intake.tests.test_workflow import run_together

from .referrals_helpers import consent, partner, reached_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    return Referral.objects.send(
        lead, partner=valley, level_of_care="residential", note="", shares=[], by=staff["avery"]
    )


def move(client, referral, state, **extra):
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {"state": state, "happened_at": at, "reason": "", "note": "", **extra}
    return client.post(reverse("admissions:referral_state", args=[referral.pk]), data)


def due_now(referral):
    Referral.objects.filter(pk=referral.pk).update(follow_up_due_at=timezone.now() - dt.timedelta(minutes=1))


def test_it_keeps_each_change_with_who_and_when_and_stops_following_up_once_arrived(client, staff, referral):
    client.force_login(staff["blake"])

    assert move(client, referral, ReferralState.ACCEPTED).status_code == 302
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.follow_up_due_at > timezone.now()
    move(client, referral, ReferralState.ARRIVED, note="Checked in at 10am")

    referral.refresh_from_db()
    assert referral.state == "arrived" and referral.follow_up_due_at is None
    history = [(c.from_state, c.to_state, c.by.username) for c in referral.changes.all()]
    assert history == [("", "sent", "avery"), ("sent", "accepted", "blake"), ("accepted", "arrived", "blake")]
    page = client.get(referral.lead.get_absolute_url()).content.decode()
    assert "Person arrived" in page and "Checked in at 10am" in page


def test_it_asks_why_a_referral_was_lost_and_refuses_a_future_time(client, staff, referral):
    client.force_login(staff["avery"])

    no_reason = move(client, referral, ReferralState.LOST, note="They stopped answering")
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    later = move(client, referral, ReferralState.LOST, reason="no_show", happened_at=future)

    assert no_reason.status_code == 400 and "Say why the referral was lost." in no_reason.content.decode()
    assert "They stopped answering" in no_reason.content.decode()  # input kept
    assert later.status_code == 400 and "in the future" in later.content.decode()
    referral.refresh_from_db()
    assert referral.state == "sent" and referral.changes.count() == 1
    move(client, referral, ReferralState.LOST, reason="no_show")
    referral.refresh_from_db()
    assert referral.state == "lost" and referral.get_lost_reason_display() == "Did not arrive"


def test_it_reminds_the_referrer_once_per_due_time_without_phi(referral, staff):
    due_now(referral)

    assert remind_referral_follow_ups() == 1
    assert remind_referral_follow_ups() == 0  # the next is an interval away

    alerts = Notification.objects.filter(kind=Notification.Kind.REFERRAL_FOLLOW_UP)
    assert {alert.recipient for alert in alerts} == {staff["avery"]}
    alert = alerts.first()
    context = message_context(alert)
    words = render_text(alert) + "".join(render_email("work-due", context))
    assert referral.lead.reference in words and "Jordan" not in words and "Example Valley" not in words
    referral.refresh_from_db()
    assert referral.follow_up_due_at > timezone.now() + dt.timedelta(days=1)
    due_now(referral)
    assert remind_referral_follow_ups() == 1  # and again each interval while it is open


def test_it_stops_reminding_once_closed_and_closes_a_pending_reminder(client, staff, referral):
    due_now(referral)
    remind_referral_follow_ups()
    pending = Notification.objects.get(kind=Notification.Kind.REFERRAL_FOLLOW_UP, channel="email")
    assert pending.no_longer_needed() == ""  # the lead is closed as referred, the referral is not

    referral.move(ReferralState.LOST, by=staff["avery"], happened_at=timezone.now(), reason="went_elsewhere")
    due_now(referral)

    assert remind_referral_follow_ups() == 0
    assert "referral is closed" in pending.no_longer_needed()


def test_it_lists_open_referrals_with_first_names_only_and_counts_by_partner(client, staff, referral):
    client.force_login(staff["blake"])
    due_now(referral)

    page = client.get(reverse("admissions:referrals")).content.decode()

    assert referral.lead.reference in page and "Jordan" in page and "Whitlock" not in page
    assert "Due now" in page and "Example Valley" in page
    seen = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__view="referrals").get()
    assert seen.additional_data["lead_ids"] == [referral.lead_id] and seen.actor == staff["blake"]


def test_it_blanks_notes_on_retention_and_moves_referrals_with_a_merge(staff, referral):
    referral.move(ReferralState.ACCEPTED, by=staff["avery"], happened_at=timezone.now(), note="Bed on Friday")
    Referral.objects.filter(pk=referral.pk).update(note="Sister drives")

    done = Referrals().anonymise(referral.lead)

    referral.refresh_from_db()
    assert done.details["referrals"] == 1 and referral.note != "Sister drives"
    assert "Bed on Friday" not in [c.note for c in referral.changes.all()]


def test_it_moves_referrals_and_consents_with_a_merge(staff):
    first, second = reached_lead(), reached_lead(phone="+14155552671")
    valley = partner("Example Valley", ["residential"])
    # A referral saved on a lead still open (a reopened lead keeps its referral): it follows the person.
    moved = Referral.objects.create(lead=first, partner=valley, level_of_care="residential", referred_by=staff["avery"])
    signed = consent(first, valley, staff["avery"])

    first.merge_into(second, by=staff["sam"], reason="Same person")

    assert second.referrals.get() == moved and second.referral_consents.get() == signed


def test_it_shows_the_referral_on_the_leads_timeline(staff, referral):
    entries = Referrals().timeline(referral.lead)

    assert [entry.what for entry in entries] == ["Referred out to Example Valley"]


@pytest.mark.django_db(transaction=True)
def test_it_sends_one_reminder_when_two_beat_runs_find_the_same_due_referral(staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    referral = Referral.objects.send(lead, partner=valley, level_of_care="iop", note="", shares=[], by=staff["avery"])
    due_now(referral)
    seen = [Referral.objects.select_related("lead", "referred_by").get(pk=referral.pk) for _ in range(2)]

    won = run_together(*(copy.remind_follow_up for copy in seen))

    assert sorted(won) == [False, True]
    alerts = Notification.objects.filter(kind=Notification.Kind.REFERRAL_FOLLOW_UP)
    assert alerts.exists() and {alert.recipient for alert in alerts} == {staff["avery"]}
    assert alerts.values("created_at").distinct().count() == 1  # one alert (a row per channel)


def test_it_counts_the_follow_up_from_the_last_change_by_the_setting(settings, staff):
    settings.REFERRAL_FOLLOW_UP_DAYS = 5
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    referral = Referral.objects.send(lead, partner=valley, level_of_care="iop", note="", shares=[], by=staff["avery"])
    assert referral.follow_up_due_at - referral.sent_at == dt.timedelta(days=5)

    later = timezone.now()
    referral.move(ReferralState.ACCEPTED, by=staff["blake"], happened_at=later)

    assert referral.follow_up_due_at >= later + dt.timedelta(days=5)
    assert not Referral.objects.follow_ups_due(later + dt.timedelta(days=4)).exists()
