import datetime as dt
import re
import smtplib
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from admissions.models import Admission, VisitorReminder
from admissions.models.reminders import reminder_text
from intake.models import ForWhom, Lead, LevelOfCare

from .beds_helpers import accepted_lead, programme
from .test_beds_scheduling import schedule

# Words that would tell a reader what the appointment is for.
GIVEAWAYS = re.compile(
    r"detox|rehab|residential|addiction|alcohol|drug|opioid|treatment|recovery|withdrawal|programme|program|"
    r"admission|clinic|substance|outpatient|partial|hospital|bed",
    re.IGNORECASE,
)


def booked(staff, clinician, *, ok_to_text, email_reminder, hours=30):
    prog = programme(level=LevelOfCare.RESIDENTIAL)
    lead = accepted_lead(staff["avery"], clinician, prog, ok_to_text=ok_to_text)
    admit_at = timezone.now() + dt.timedelta(hours=hours)
    return schedule(lead, prog, staff["avery"], admit_at=admit_at, email_reminder=email_reminder)


@pytest.mark.django_db
def test_it_texts_the_person_a_discreet_reminder_only_where_they_allowed_texts(staff, clinician, http_inbox, settings):
    allowed = booked(staff, clinician, ok_to_text=True, email_reminder=False, hours=2)
    VisitorReminder.objects.deliver_due()
    [request] = http_inbox.received("/Messages.json")
    sent = parse_qs(request["body"].decode())
    body = sent["Body"][0]
    assert sent["To"] == [allowed.lead.phone]
    assert "Reminder from Lantern: your appointment is on" in body  # DISCREET_SENDER_NAME, not CENTRE_NAME
    assert f"Call {settings.CENTRE_PHONE}" in body
    assert not GIVEAWAYS.search(body)
    assert VisitorReminder.objects.get(admission=allowed).status == VisitorReminder.Status.SENT
    assert "Admission reminder sent to the person by text message" in [e.what for e in allowed.lead.timeline()]


@pytest.mark.django_db
def test_it_does_not_text_a_person_who_did_not_allow_texts(staff, clinician, http_inbox):
    admission = booked(staff, clinician, ok_to_text=False, email_reminder=False)
    assert not VisitorReminder.objects.filter(admission=admission).exists()


@pytest.mark.django_db
def test_it_emails_the_reminder_only_when_the_worker_ticked_it_and_names_nothing(staff, clinician, mailbox):
    admission = booked(staff, clinician, ok_to_text=False, email_reminder=True, hours=2)
    VisitorReminder.objects.deliver_due()
    [message] = mailbox.wait_for(1, timeout=5)
    text = message["data"]
    assert message["to"] == [admission.lead.email]
    assert "your appointment is on" in text
    headers, body = re.split(r"\r?\n\r?\n", text, maxsplit=1)
    assert "From: Lantern <" in headers and not GIVEAWAYS.search(body)
    assert not GIVEAWAYS.search(reminder_text(admission).split(":", 1)[1])


@pytest.mark.django_db
def test_it_waits_until_the_reminder_hours_before_the_admission_and_closes_it_if_released(staff, clinician, settings):
    admission = booked(staff, clinician, ok_to_text=True, email_reminder=False, hours=48)
    reminder = VisitorReminder.objects.get(admission=admission)
    assert reminder.due_at == admission.admit_at - dt.timedelta(hours=settings.ADMISSION_REMINDER_HOURS)
    admission.release(reason="They postponed", by=staff["avery"])
    VisitorReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
    VisitorReminder.objects.deliver_due()
    reminder.refresh_from_db()
    assert reminder.status == VisitorReminder.Status.CLOSED


@pytest.mark.django_db
def test_the_words_of_a_reminder_name_no_condition_treatment_or_programme(staff, clinician):
    admission = booked(staff, clinician, ok_to_text=True, email_reminder=False)
    Lead.objects.filter(pk=admission.lead_id).update(name="Detox Alcohol")
    admission = Admission.objects.select_related("lead", "programme").get(pk=admission.pk)
    text = reminder_text(admission)
    assert re.fullmatch(
        r"Reminder from .+: your appointment is on \w+ \d+ \w+ at \d+:\d\d [ap]\.m\. "
        r"Questions or need to change it\? Call \+?\d+\.",
        text,
    )
    assert "Detox" not in text


@pytest.mark.django_db
def test_it_sends_no_reminder_to_the_caller_of_a_lead_asked_for_a_loved_one_and_tells_the_worker(
    client, staff, clinician
):
    prog = programme(level=LevelOfCare.RESIDENTIAL)
    lead = accepted_lead(staff["avery"], clinician, prog, ok_to_text=True, for_whom=ForWhom.LOVED_ONE)
    client.force_login(staff["avery"])
    page = client.get(f"/staff/leads/{lead.pk}/admission/").content.decode()
    assert "No reminder will be sent: this lead was asked for a loved one" in page
    when = timezone.localtime(timezone.now() + dt.timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")
    data = {"programme": prog.pk, "admit_at": when, "email_reminder": "on"}
    page = client.post(f"/staff/leads/{lead.pk}/admission/", data, follow=True).content.decode()
    assert "admission scheduled" in page and "No reminder will be sent" in page
    assert not VisitorReminder.objects.exists()


@pytest.mark.django_db
def test_the_email_tick_shows_the_address_and_records_that_the_person_asked_for_it(client, staff, clinician):
    prog = programme(level=LevelOfCare.RESIDENTIAL)
    lead = accepted_lead(staff["avery"], clinician, prog)
    client.force_login(staff["avery"])
    page = client.get(f"/staff/leads/{lead.pk}/admission/").content.decode()
    assert f"The person asked for an email reminder at {lead.email}" in page
    assert "Tick only if they asked for a reminder by email there" in page


@pytest.mark.django_db
def test_a_refused_reminder_keeps_the_providers_status_and_code_but_never_the_number_or_address(
    staff, clinician, http_inbox, monkeypatch
):
    text = booked(staff, clinician, ok_to_text=True, email_reminder=True, hours=2)
    phone, email = text.lead.phone, text.lead.email
    # The fake provider refuses the text as Twilio does, its error body echoing the number.
    http_inbox.status_next = 400

    def refuse_email(to, context, *, connection):
        raise smtplib.SMTPRecipientsRefused({to: (550, f"5.1.1 <{to}>: mailbox unavailable".encode())})

    monkeypatch.setattr("admissions.models.reminders.send_email", refuse_email)
    VisitorReminder.objects.deliver_due()
    errors = {r.channel: r.last_error for r in VisitorReminder.objects.filter(admission=text)}
    assert errors["text"] == "RefusedDelivery: the provider answered HTTP 400, error code 20500"
    assert errors["email"] == "SMTPRecipientsRefused: SMTP 550"
    assert all(phone not in error and phone[2:] not in error and email not in error for error in errors.values())
