"""A request in Spanish reaches the Spanish speakers on shift first, the rest of the team a little
later (unless a speaker took it meanwhile); nobody speaking it, or someone in danger: everyone at once."""

import datetime as dt

import pytest
from django.utils import timezone

from intake.front_door import Submission
from intake.models import Lead, Notification, StaffProfile
from intake.tests.helpers import JORDAN
from intake.tests.test_channels import read_email
from outbox.tests.helpers import deliver


def spanish_request(*, urgent: bool = False) -> Lead:
    data = {**JORDAN, "in_danger": "yes" if urgent else "no"}
    submission = Submission.from_callback(
        data, consent_version="callback-2026-11-21", consent_page="/es/callback/", attribution={}, language="es"
    )
    lead, _ = Lead.objects.receive(submission)
    return lead


def speaks_spanish(user) -> None:
    StaffProfile.objects.filter(user=user).update(languages=["es"])


def alerted(lead, *, due_by=None) -> set[str]:
    rows = Notification.objects.filter(lead=lead, recipient__isnull=False)
    if due_by:
        rows = rows.filter(due_at__lte=due_by)
    return {row.recipient.username for row in rows}


@pytest.mark.django_db
def test_it_alerts_the_spanish_speaker_on_shift_at_once_and_the_others_after_the_delay(staff, settings):
    settings.LANGUAGE_FIRST_SECONDS = 120
    speaks_spanish(staff["blake"])

    lead = spanish_request()

    assert lead.language == "es"
    assert alerted(lead, due_by=timezone.now()) == {"blake"}
    later = Notification.objects.get(lead=lead, recipient=staff["avery"])
    assert dt.timedelta(seconds=110) < later.due_at - later.created_at <= dt.timedelta(seconds=121)
    assert not Notification.objects.due().filter(recipient=staff["avery"]).exists()


@pytest.mark.django_db
def test_it_says_in_the_alert_that_the_request_is_in_spanish_without_any_detail(staff, mailbox):
    speaks_spanish(staff["blake"])
    lead = spanish_request()

    deliver(Notification.objects.get(lead=lead, recipient=staff["blake"]))

    subject, text, html = read_email(mailbox.wait_for(1, timeout=2)[0])
    assert subject == f"New callback request {lead.reference} (Español)"
    # (the fake SMTP server reads 8-bit bodies as ASCII: the subject is the exact check)
    assert f"{lead.reference} (Espa" in text
    assert "Jordan" not in text + html and "2671" not in text + html


@pytest.mark.django_db
def test_it_closes_the_later_alerts_unsent_once_a_speaker_has_claimed_the_request(staff, mailbox):
    speaks_spanish(staff["blake"])
    lead = spanish_request()

    lead.claim(by=staff["blake"])
    later = Notification.objects.get(lead=lead, recipient=staff["avery"])
    Notification.objects.filter(pk=later.pk).update(due_at=timezone.now())
    deliver(later)

    later.refresh_from_db()
    assert later.status == "closed"
    assert "claimed" in later.last_error
    assert staff["avery"].email not in [to for m in mailbox.messages for to in m["to"]]


def deliver_later_alert(lead, user) -> Notification:
    """The held-back alert of `user`, delivered now as if its delay were over."""
    later = Notification.objects.get(lead=lead, recipient=user)
    Notification.objects.filter(pk=later.pk).update(due_at=timezone.now())
    deliver(later)
    later.refresh_from_db()
    return later


@pytest.mark.django_db
def test_it_closes_the_later_alerts_unsent_once_a_speaker_has_reached_the_person_even_if_released(staff):
    speaks_spanish(staff["blake"])
    lead = spanish_request()

    lead.log_attempt(by=staff["blake"], outcome="reached", note="")
    lead.release(by=staff["blake"])
    later = deliver_later_alert(lead, staff["avery"])

    assert later.status == "closed"
    assert "reached the person" in later.last_error


@pytest.mark.django_db
def test_it_still_tells_the_rest_of_the_shift_when_the_speaker_missed_the_person_and_let_go(staff, mailoutbox):
    speaks_spanish(staff["blake"])
    lead = spanish_request()

    lead.log_attempt(by=staff["blake"], outcome="no_answer", note="")
    lead.release(by=staff["blake"])
    later = deliver_later_alert(lead, staff["avery"])

    assert later.status == "sent"
    assert [message.to for message in mailoutbox][-1] == [staff["avery"].email]


@pytest.mark.django_db
def test_it_alerts_everyone_at_once_when_no_spanish_speaker_is_on_shift(staff):
    speaks_spanish(staff["casey"])  # off duty

    lead = spanish_request()

    assert alerted(lead, due_by=timezone.now()) == {"avery", "blake"}


@pytest.mark.django_db
def test_it_alerts_everyone_at_once_when_someone_may_be_in_danger(staff):
    speaks_spanish(staff["blake"])

    lead = spanish_request(urgent=True)

    assert lead.urgent
    assert alerted(lead, due_by=timezone.now()) == {"avery", "blake"}


@pytest.mark.django_db
def test_an_english_request_still_alerts_everyone_at_once(staff):
    speaks_spanish(staff["blake"])

    submission = Submission.from_callback(
        {**JORDAN, "in_danger": "no"}, consent_version="callback-2026-11-21", consent_page="/callback/", attribution={}
    )
    lead, _ = Lead.objects.receive(submission)

    assert alerted(lead, due_by=timezone.now()) == {"avery", "blake"}
