"""One front door: every request joins the person's open lead, and no request rewrites a person.

Jordan asks for a callback and says "no" to texts and voicemail; someone else who knows Jordan's
phone number tries to change that without signing in.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.hours import DAYS
from intake.models import Lead, Notification, StaffProfile
from intake.queue_rows import first_call_words
from intake.tasks import escalate_overdue_leads
from intake.timing import call_expectation, first_call_target
from tests.support import wait_until

NY = ZoneInfo("America/New_York")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


@pytest.fixture
def jordan(visitor_data):
    """Jordan, who allows no texts and no voicemail: someone at home must not find out."""
    data = {**visitor_data, "best_time": "asap"}
    data.pop("ok_to_text")
    return data


@pytest.fixture
def worker(client, staff):
    client.force_login(staff["avery"])
    return client


# --- A request never rewrites a person ----------------------------------------------------------


@pytest.mark.django_db
def test_it_keeps_the_name_email_and_both_warnings_when_someone_forges_a_second_request(client, staff, jordan):
    client.post("/callback/", jordan)
    forged = {
        **jordan,
        "name": "Mallory Vance",
        "email": "mallory@example.net",
        "ok_to_text": "on",
        "ok_to_voicemail": "on",
    }
    client.post("/callback/", forged)

    lead = Lead.objects.get()
    assert (lead.name, lead.email) == ("Jordan Whitlock", "jordan.whitlock@example.com")
    assert not lead.ok_to_text and not lead.ok_to_voicemail
    assert "voicemail" not in lead.allowed_outcomes() and "text_sent" not in lead.allowed_outcomes()
    # What the second request said is kept on it, for staff to see.
    second = lead.requests.order_by("created_at").last()
    assert (second.name, second.email, second.ok_to_text) == ("Mallory Vance", "mallory@example.net", True)

    client.force_login(staff["avery"])
    html = client.get(reverse("staff:lead", args=[lead.pk])).content.decode()
    assert "Do not leave voicemail." in html and "Do not text." in html
    assert "Also gave the name <strong>Mallory Vance</strong>" in html
    assert "Also gave the email <strong>mallory@example.net</strong>" in html


@pytest.mark.django_db
def test_it_takes_the_most_careful_answer_across_requests(client, staff, jordan):
    client.post("/callback/", {**jordan, "ok_to_text": "on", "ok_to_voicemail": "on"})
    client.post("/callback/", {**jordan, "ok_to_voicemail": "on"})  # this time: no texts

    lead = Lead.objects.get()
    assert lead.ok_to_voicemail and not lead.ok_to_text


@pytest.mark.django_db
def test_only_the_persons_own_answer_on_a_call_widens_permission(worker, staff, jordan):
    worker.post("/callback/", jordan)
    lead = Lead.objects.get()
    url = reverse("staff:contact_preferences", args=[lead.pk])

    # Not reached yet: nobody has heard the person say it.
    page = worker.post(url, {"ok_to_text": "on"}, follow=True).content.decode()
    assert "once you have reached them on a call" in page
    lead.refresh_from_db()
    assert not lead.ok_to_text

    lead.log_attempt(by=staff["avery"], outcome="reached")
    page = worker.post(url, {"ok_to_text": "on"}, follow=True).content.decode()
    lead.refresh_from_db()
    assert lead.ok_to_text and not lead.ok_to_voicemail
    assert lead.contact_preferences_by == staff["avery"]
    assert "the person on a call, recorded by avery" in page
    assert "text_sent" in lead.allowed_outcomes()

    # A later web request can still say no; it never says yes for the person.
    worker.post("/callback/", jordan)
    lead.refresh_from_db()
    assert not lead.ok_to_text


# --- The chosen time is honoured ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "best_time", "target"),
    [
        (at(2026, 11, 18, 10, 0), "evening", at(2026, 11, 18, 17, 15)),  # Wednesday morning -> that evening
        (at(2026, 11, 18, 18, 0), "evening", at(2026, 11, 18, 18, 15)),  # inside the window: as usual
        (at(2026, 11, 18, 21, 0), "evening", at(2026, 11, 19, 17, 15)),  # after it: the next evening
        (at(2026, 11, 20, 21, 0), "evening", at(2026, 11, 23, 17, 15)),  # weekends close at 5: Monday
        (at(2026, 11, 18, 21, 0), "morning", at(2026, 11, 19, 8, 15)),
        (at(2026, 11, 21, 7, 0), "morning", at(2026, 11, 21, 9, 15)),  # Saturday opens at 9
        (at(2026, 11, 18, 23, 0), "asap", at(2026, 11, 19, 8, 15)),
    ],
)
def test_the_first_call_target_starts_in_the_window_the_visitor_chose(settings, sent, best_time, target):
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00; sat-sun 09:00-17:00"
    settings.LEAD_SLA_MINUTES = 15
    assert first_call_target(sent, best_time=best_time) == target


@pytest.mark.parametrize(
    ("sent", "best_time", "words"),
    [
        (at(2026, 11, 18, 10, 0), "evening", "this evening, between 5 and 8 p.m."),
        (at(2026, 11, 18, 21, 0), "morning", "tomorrow morning, between 8 a.m. and 12 p.m."),
        (at(2026, 11, 20, 21, 0), "evening", "Monday evening, between 5 and 8 p.m."),
        (at(2026, 11, 21, 7, 0), "afternoon", "this afternoon, between 12 and 5 p.m."),
        (at(2026, 11, 18, 18, 0), "evening", "within about 15 minutes"),  # already in the window
    ],
)
def test_it_tells_the_visitor_when_the_call_will_come_in_their_words(settings, sent, best_time, words):
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00; sat-sun 09:00-17:00"
    assert call_expectation(sent, best_time=best_time) == words


@pytest.mark.django_db
def test_an_evening_request_is_promised_and_queued_for_the_evening(client, staff, jordan):
    response = client.post("/callback/", {**jordan, "best_time": "evening"}, follow=True)

    lead = Lead.objects.get()
    due = lead.sla_due_at.astimezone(NY)
    assert dt.time(17) <= due.time() <= dt.time(20, 15)
    html = response.content.decode()
    assert call_expectation(lead.created_at, best_time="evening") in html
    assert "p.m.." not in html and "a.m.." not in html

    # Someone who asked "as soon as possible" a moment later is called first.
    client.post("/callback/", {**jordan, "phone": "(646) 555-0173", "name": "Maya"})
    soon = Lead.objects.exclude(pk=lead.pk).get()
    assert list(Lead.objects.open().queue_order()) == sorted([lead, soon], key=lambda x: x.sla_due_at)
    client.force_login(staff["avery"])
    assert "Evening (5–8 p.m.):" in client.get(reverse("staff:queue")).content.decode()


# --- Urgent means minutes, at any hour ------------------------------------------------------


def closed_all_day_today(settings) -> None:
    """Call-back hours that are closed now: open only on a day that is not today."""
    tomorrow = DAYS[(timezone.localdate().weekday() + 1) % 7]
    settings.CENTRE_HOURS = f"{tomorrow} 09:00-10:00"


@pytest.mark.django_db
def test_an_urgent_request_gets_minutes_not_next_morning(settings):
    settings.URGENT_RESPONSE_MINUTES = 10
    sunday_night = at(2026, 11, 22, 22, 0)
    assert first_call_target(sunday_night, best_time="evening", urgent=True) == sunday_night + dt.timedelta(minutes=10)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_urgent_request_at_night_reaches_the_on_call_worker_at_once_and_escalates_once(
    client, staff, jordan, settings, mailbox, http_inbox, celery_worker
):
    closed_all_day_today(settings)
    settings.CHAT_WEBHOOK_URL = ""
    # Casey is off duty but on call tonight, and has a mobile; alerts by email only, usually.
    StaffProfile.objects.filter(user=staff["casey"]).update(on_call=True, mobile="+14155550199")

    response = client.post("/callback/", {**jordan, "in_danger": "yes"}, follow=True)

    lead = Lead.objects.get()
    assert lead.urgent
    assert lead.sla_due_at - lead.created_at == dt.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
    main = response.content.decode().split('<main id="main"', 1)[1]
    assert main.index('href="tel:911"') < main.index("got your request")
    assert f"we aim to call within {settings.URGENT_RESPONSE_MINUTES} minutes" in main

    rows = Notification.objects.filter(lead=lead)
    assert {(n.recipient.username, n.channel) for n in rows} == {("casey", "email"), ("casey", "sms")}
    wait_until(lambda: all(n.status == "sent" for n in Notification.objects.filter(lead=lead)))
    assert [m["to"] for m in mailbox.messages] == [["casey@lantern.example"]]
    [sms] = http_inbox.received("/Messages.json")
    assert b"URGENT" in sms["body"] and b"Whitlock" not in sms["body"]

    # Nobody claims it: once the target passes, the supervisors hear of it, once.
    Lead.objects.filter(pk=lead.pk).update(sla_due_at=lead.created_at)
    assert escalate_overdue_leads() == 1
    assert escalate_overdue_leads() == 0
    escalations = Notification.objects.filter(lead=lead, kind="escalation")
    assert {n.recipient.username for n in escalations} == {"sam"}


@pytest.mark.django_db
def test_an_urgent_request_at_night_with_nobody_on_call_goes_to_the_supervisors(client, staff, jordan, settings):
    closed_all_day_today(settings)
    client.post("/callback/", {**jordan, "in_danger": "yes"})
    recipients = {n.recipient.username for n in Notification.objects.exclude(recipient=None)}
    assert recipients == {"sam"}


@pytest.mark.django_db
def test_a_calm_request_at_night_waits_for_the_morning_shift_as_before(client, staff, jordan, settings):
    closed_all_day_today(settings)
    client.post("/callback/", jordan)
    lead = Lead.objects.get()
    assert lead.sla_due_at.astimezone(NY).time() == dt.time(9, 15)
    assert not Notification.objects.filter(recipient=staff["casey"]).exists()


# --- What a stranger with someone's phone number still cannot do -------------------------------


@pytest.mark.django_db
def test_a_stranger_waiting_out_the_window_still_cannot_switch_texts_on(client, staff, jordan, settings):
    client.post("/callback/", jordan)
    Lead.objects.update(last_requested_at=dt.datetime(2026, 1, 1, tzinfo=NY))  # long ago: a new lead
    client.post("/callback/", {**jordan, "name": "Mallory", "ok_to_text": "on", "ok_to_voicemail": "on"})

    first, second = Lead.objects.order_by("pk")
    assert second.name == "Mallory" and first.name == "Jordan Whitlock"
    assert not second.ok_to_text and not second.ok_to_voicemail  # the phone's most careful answer


@pytest.mark.django_db
def test_the_thank_you_page_never_tells_a_stranger_the_persons_lead_reference(client, staff, jordan):
    client.post("/callback/", jordan)
    page = client.post("/callback/", {**jordan, "name": "Mallory"}, follow=True).content.decode()

    lead = Lead.objects.get()
    assert lead.reference not in page
    assert lead.requests.last().reference in page

    # Staff find the lead from the reference a caller reads out.
    client.force_login(staff["avery"])
    found = client.post(reverse("staff:search"), {"q": lead.requests.last().reference}, follow=True)
    assert lead.get_absolute_url() in found.content.decode()


@pytest.mark.django_db
def test_a_web_no_after_the_persons_own_yes_is_not_shown_as_theirs(worker, staff, jordan):
    worker.post("/callback/", {**jordan, "ok_to_text": "on"})
    lead = Lead.objects.get()
    lead.log_attempt(by=staff["avery"], outcome="reached")
    lead.record_contact_preferences(ok_to_text=True, ok_to_voicemail=True, by=staff["avery"])

    worker.post("/callback/", {**jordan, "ok_to_voicemail": "on"})  # a form says: no texts

    lead.refresh_from_db()
    assert not lead.ok_to_text and lead.ok_to_voicemail
    page = worker.get(reverse("staff:lead", args=[lead.pk])).content.decode()
    assert "The person asked us not to" not in page and "It was not allowed on a request sent from this number" in page


# --- Danger reported again, and nobody on shift ---------------------------------------------------


@pytest.mark.django_db
def test_danger_reported_on_a_lead_already_called_needs_a_new_call_within_minutes(client, staff, jordan, settings):
    client.post("/callback/", jordan)
    lead = Lead.objects.get()
    lead.log_attempt(by=staff["avery"], outcome="no_answer")

    client.post("/callback/", {**jordan, "in_danger": "yes"})
    lead.refresh_from_db()
    assert lead.urgent and lead.danger_call_due() == lead.danger_reported_at + dt.timedelta(minutes=10)
    assert first_call_words(lead, timezone.now()).words.startswith("Danger reported again: call within")
    assert list(Lead.objects.open().queue_order())[0] == lead

    # Ten minutes pass with no call: the supervisors hear of it, once.
    earlier = dt.timedelta(minutes=11)
    Lead.objects.filter(pk=lead.pk).update(
        danger_reported_at=lead.danger_reported_at - earlier, last_attempt_at=lead.last_attempt_at - earlier
    )
    assert escalate_overdue_leads() == 1
    assert escalate_overdue_leads() == 0
    # A call answers it: nothing more is overdue.
    lead.refresh_from_db()
    lead.log_attempt(by=staff["avery"], outcome="reached")
    assert not Lead.objects.overdue_for_escalation().exists()


@pytest.mark.django_db
def test_danger_in_hours_with_nobody_on_shift_reaches_the_on_call_worker_by_every_channel(client, staff, jordan):
    StaffProfile.objects.update(on_duty=False)  # a holiday: call-back hours, but nobody on shift
    StaffProfile.objects.filter(user=staff["casey"]).update(on_call=True, mobile="+14155550199")

    client.post("/callback/", {**jordan, "in_danger": "yes"})

    rows = Notification.objects.exclude(recipient=None)
    assert {(n.recipient.username, n.channel) for n in rows} == {("casey", "email"), ("casey", "sms")}


# --- Times the centre does not call at ---------------------------------------------------------


def test_a_window_with_too_little_time_left_today_moves_to_tomorrow(settings):
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00"
    settings.LEAD_SLA_MINUTES = 15
    assert first_call_target(at(2026, 11, 18, 19, 55), best_time="evening") == at(2026, 11, 19, 17, 15)
    assert call_expectation(at(2026, 11, 18, 19, 55), best_time="evening") == "tomorrow evening, between 5 and 8 p.m."


@pytest.mark.django_db
def test_the_forms_offer_only_times_the_centre_calls_at(client, settings):
    settings.CENTRE_HOURS = "mon-fri 09:00-17:00"
    settings.CENTRE_PHONE_HOURS = "mon-fri 09:00-17:00"
    for path in ("/callback/", "/verify/"):
        html = client.get(path).content.decode()
        assert 'value="morning"' in html and 'value="afternoon"' in html
        assert 'value="evening"' not in html
    # Even if asked by a stale page, an evening request is never called in the morning.
    assert first_call_target(at(2026, 11, 18, 10, 0), best_time="evening") == at(2026, 11, 18, 17, 15)


@pytest.mark.django_db
def test_the_urgent_thank_you_page_promises_minutes_only_when_someone_is_there_to_call(client, staff, jordan, settings):
    closed_all_day_today(settings)
    page = client.post("/callback/", {**jordan, "in_danger": "yes"}, follow=True).content.decode()
    assert "at this hour that may take a while" in page and "within 10 minutes" not in page

    StaffProfile.objects.filter(user=staff["casey"]).update(on_call=True)
    page = client.post("/callback/", {**jordan, "in_danger": "yes"}, follow=True).content.decode()
    assert "we aim to call within 10 minutes, day or night" in page


@pytest.mark.django_db
def test_a_worker_cannot_choose_text_alerts_without_a_mobile_number(worker, staff):
    url = reverse("staff:roster_edit", args=[staff["avery"].pk])
    page = worker.post(url, {"on_duty": "on", "on_call": "on", "notify_by_sms": "on", "mobile": ""})
    assert page.status_code == 200
    assert "Add a mobile number for text alerts" in page.content.decode()
