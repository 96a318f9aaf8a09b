"""A lead's timeline: every step, newest first, with who did it and when."""

import datetime as dt
import html as htmllib
import importlib
import re

import pytest
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.utils import dateformat, timezone
from django.utils.formats import date_format

from intake.audit import acting_as
from intake.models import EventKind, Lead, LeadEvent, Notification, OutcomeFacts
from intake.tests.helpers import JORDAN, receive_callback

PEOPLE = {"avery": ("Avery", "Lee"), "blake": ("Blake", "Ortiz"), "sam": ("Sam", "Reyes")}


@pytest.fixture
def team(staff):
    """Avery and Blake work the queue, Sam supervises; colleagues know them by full name."""
    for username, (first, last) in PEOPLE.items():
        staff[username].first_name, staff[username].last_name = first, last
        staff[username].save()
    return staff


def timeline_on(page: str) -> list[tuple[dt.datetime, str]]:
    """(when, the words of the entry) for each entry of the page's timeline, top to bottom."""
    section = page.split('id="history-h"', 1)[1].split("</ol>", 1)[0]
    entries = []
    for item in re.findall(r'<li class="[^"]*timeline-[^"]*">(.*?)</li>', section, re.S):
        when = dt.datetime.fromisoformat(re.search(r'datetime="([^"]+)"', item)[1])
        entries.append((when, htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", item).split()))))
    return entries


def entry(entries, *words: str) -> str:
    """The one entry holding all `words`."""
    found = [text for _, text in entries if all(word in text for word in words)]
    assert len(found) == 1, f"expected one entry with {words}, found {found}"
    return found[0]


@pytest.mark.django_db
def test_it_shows_every_step_of_a_lead_with_who_and_when_newest_first(client, team):
    avery, blake, sam = team["avery"], team["blake"], team["sam"]
    lead = receive_callback({**JORDAN, "message": "My brother needs detox"})
    Notification.objects.filter(recipient=avery).update(status="sent", finished_at=timezone.now())
    Notification.objects.filter(recipient=blake).update(status="failed", finished_at=timezone.now())
    lead.claim(by=avery)
    lead.assign(blake, by=sam)
    lead.release(by=blake)
    lead.log_attempt(by=avery, outcome="no_answer", note="Rang out")
    lead.log_attempt(by=avery, outcome="reached")
    lead.record_contact_preferences(ok_to_text=True, ok_to_voicemail=False, by=avery)
    lead.add_note("Prefers evenings after six", by=avery)
    follow_up = timezone.now() + dt.timedelta(days=1)
    lead.schedule_follow_up(follow_up, by=avery)
    lead.schedule_follow_up(None, by=avery)
    lead.transition("assessment_scheduled", by=avery)
    twin = Lead.objects.create(name="Jordan W", phone=JORDAN["phone"])
    merge = twin.merge_into(lead, by=avery, reason="")
    merge.undo(by=sam, reason="Two different people sharing a phone")
    today = timezone.localdate()
    lead.close(OutcomeFacts(status="admitted", admitted_on=today, level_of_care="residential"), by=avery)
    lead.reopen("Left on day two; wants to try again", by=sam)

    client.force_login(sam)
    entries = timeline_on(client.get(f"/staff/leads/{lead.pk}/").content.decode())

    request = lead.requests.get()
    assert "My brother needs detox" in entry(entries, f"Callback request {request.reference}", "from the visitor")
    entry(entries, "New-request alert emailed to Avery Lee: delivered", "by Lantern")
    entry(entries, "New-request alert emailed to Blake Ortiz: failed", "by Lantern")
    entry(entries, "Claimed by Avery Lee")
    entry(entries, "Assigned to Blake Ortiz (was Avery Lee) by Sam Reyes")
    entry(entries, "Released back to the queue (was Blake Ortiz) by Blake Ortiz")
    entry(entries, "Claimed by logging the first call by Avery Lee")
    assert "Rang out" in entry(entries, "No answer by Avery Lee")
    entry(entries, "Status: New → Contacting after the call by Avery Lee")
    entry(entries, "Reached by Avery Lee")
    entry(entries, "Status: Contacting → Reached after the call by Avery Lee")
    entry(entries, "The person said on a call: texts allowed, voicemail not allowed by Avery Lee")
    entry(entries, "Note by Avery Lee Prefers evenings after six")
    entry(
        entries, f"Follow-up scheduled for {date_format(timezone.localtime(follow_up), 'DATETIME_FORMAT')} by Avery Lee"
    )
    entry(entries, "Follow-up cleared by Avery Lee")
    entry(entries, "Status: Reached → Assessment scheduled by Avery Lee")
    entry(entries, f"{twin.reference} merged into {lead.reference} by Avery Lee")
    undone = entry(entries, f"Merge of {twin.reference} into {lead.reference} undone by Sam Reyes")
    assert "Reason: Two different people sharing a phone" in undone
    entry(entries, f"Admitted to Residential on {dateformat.format(today, 'N j, Y')} by Avery Lee")
    assert "Reason given: Left on day two" in entry(entries, "Reopened (it was admitted) by Sam Reyes")

    times = [when for when, _ in entries]
    assert times == sorted(times, reverse=True)
    assert "Reopened" in entries[0][1], "the newest step comes first"


@pytest.mark.django_db
def test_it_keeps_the_history_of_a_lead_from_before_events_were_recorded(client, team):
    """An old lead has requests, calls and notes, but no events: all of those still show."""
    lead = Lead.objects.create(name="Jordan", phone=JORDAN["phone"], status="contacting")
    lead.requests.create(consent_version="v", consent_at=timezone.now(), message="Please call after work")
    lead.attempts.create(staff=team["avery"], outcome="no_answer", note="Rang out")
    lead.notes.create(author=team["blake"], body="Sister answers the phone")

    client.force_login(team["avery"])
    entries = timeline_on(client.get(f"/staff/leads/{lead.pk}/").content.decode())

    assert "Please call after work" in entry(entries, "Callback request", "from the visitor")
    entry(entries, "No answer by Avery Lee Rang out")
    entry(entries, "Note by Blake Ortiz Sister answers the phone")


@pytest.mark.django_db
def test_each_render_of_the_timeline_is_an_audited_access(client, team):
    lead = receive_callback(JORDAN)
    client.force_login(team["avery"])
    accesses = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_id=lead.pk, actor=team["avery"])

    client.get(f"/staff/leads/{lead.pk}/")
    client.get(f"/staff/leads/{lead.pk}/")

    assert accesses.count() == 2


@pytest.mark.django_db
def test_events_name_no_phi_outside_their_encrypted_text(team):
    lead = receive_callback(JORDAN)
    lead.claim(by=team["avery"])
    lead.log_attempt(by=team["avery"], outcome="reached")
    lead.close(OutcomeFacts(status="referred", referred_to="Harbor House for Jordan Whitlock"), by=team["avery"])

    stored = repr(list(LeadEvent.objects.values_list("kind", "details")))
    assert "Jordan" not in stored and "Harbor" not in stored and JORDAN["phone"] not in stored
    assert set(LeadEvent.objects.values_list("kind", flat=True)) == {EventKind.CLAIMED, EventKind.STATUS, "closed"}


@pytest.mark.django_db
def test_an_event_once_written_cannot_be_changed_or_deleted(team):
    lead = receive_callback(JORDAN)
    lead.claim(by=team["avery"])
    event = lead.events.get()
    event.kind = EventKind.RELEASED
    with pytest.raises(Exception, match="cannot be changed"):
        event.save()
    with pytest.raises(Exception, match="cannot be deleted"):
        event.delete()


@pytest.mark.django_db
def test_it_reads_an_old_leads_claims_and_status_changes_back_from_the_audit_log(client, team):
    """Before events, the audit log alone knew who moved a lead; the migration reads it back."""
    avery = team["avery"]
    lead = Lead.objects.create(name="Jordan", phone=JORDAN["phone"])
    # What the code before events left: a claim written by hand, the status as tracked saves.
    lead.audit(avery, "claimed by avery", event="claim", owner="avery")
    with acting_as(avery):
        lead.status = "contacting"
        lead.save()
        lead.status, lead.closed_at = "admitted", timezone.now()
        lead.save()
    assert not lead.events.exists()
    backfill = importlib.import_module("intake.migrations.0013_lead_events_from_the_audit_log").backfill

    backfill(django_apps, None)
    backfill(django_apps, None)  # a lead with events is left alone

    client.force_login(avery)
    page = client.get(f"/staff/leads/{lead.pk}/").content.decode()
    entries = timeline_on(page)
    entry(entries, "Claimed by Avery Lee")
    entry(entries, "Status: New → Contacting by Avery Lee")
    entry(entries, "Closed as admitted by Avery Lee")
    assert len(entries) == 3
    assert "The details were not recorded" in page


@pytest.mark.django_db
def test_it_shows_what_was_done_on_a_lead_merged_into_this_one_as_done_there(client, team):
    avery, blake = team["avery"], team["blake"]
    lead = receive_callback(JORDAN)
    twin = Lead.objects.create(name="Jordan W", phone=JORDAN["phone"])
    twin.claim(by=blake)
    twin.log_attempt(by=blake, outcome="no_answer")
    twin.merge_into(lead, by=blake)

    client.force_login(avery)
    entries = timeline_on(client.get(f"/staff/leads/{lead.pk}/").content.decode())

    entry(entries, f"On {twin.reference}: claimed by Blake Ortiz")
    entry(entries, f"On {twin.reference}: status: New → Contacting after the call by Blake Ortiz")
    entry(entries, "No answer by Blake Ortiz")  # the call itself moved with the merge
    entry(entries, f"{twin.reference} merged into {lead.reference} by Blake Ortiz")
