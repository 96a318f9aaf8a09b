"""The timeline and the lead's forms name people as colleagues know them, say so when a step's
person has left, keep alerts from drowning the rest, and write times as the rest of the page."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from intake.models import ConsentRevocation, Lead, LeadEvent, Notification
from intake.staff_forms import AssignForm
from intake.tests import test_timeline
from intake.tests.helpers import JORDAN, receive_callback
from intake.tests.test_timeline import entry, timeline_on

team = test_timeline.team  # the fixture: Avery Lee and Blake Ortiz work the queue, Sam Reyes supervises


def page_of(client, user, lead) -> str:
    client.force_login(user)
    return client.get(f"/staff/leads/{lead.pk}/").content.decode()


@pytest.mark.django_db
def test_a_step_whose_person_has_left_says_so(client, team):
    lead = receive_callback(JORDAN)
    lead.claim(by=team["blake"])
    LeadEvent.objects.filter(lead=lead).update(actor=None)  # as when the account is removed

    entries = timeline_on(page_of(client, team["avery"], lead))

    entry(entries, "Claimed by a former staff member")


@pytest.mark.django_db
def test_alerts_say_how_many_tries_they_took_and_the_older_ones_fold_away(client, team):
    lead = Lead.objects.create(name="Jordan", phone=JORDAN["phone"])
    start = timezone.now() - dt.timedelta(hours=9)
    for hour in range(9):
        Notification.objects.create(
            lead=lead, recipient=team["avery"], kind="escalation", status="sent", attempts=3 if hour == 8 else 1,
            created_at=start + dt.timedelta(hours=hour), finished_at=start + dt.timedelta(hours=hour, minutes=1),
        )  # fmt: skip

    page = page_of(client, team["avery"], lead)
    entries = timeline_on(page)

    alerts = [text for _, text in entries if "alert" in text.lower()]
    assert len(alerts) == 5, "the latest few alerts stay in the timeline"
    assert "Alert that nobody called in time emailed to Avery Lee: delivered after 3 tries" in alerts[0]
    assert "after 1 tries" not in page
    folded = page.split('id="history-h"', 1)[1].split("<details", 1)[1].split("</details>", 1)[0]
    assert "4 earlier alerts" in folded and folded.count("Alert that nobody called in time") == 4


@pytest.mark.django_db
def test_a_follow_up_reads_as_the_page_writes_times(client, team):
    avery = team["avery"]
    lead = receive_callback(JORDAN)
    lead.claim(by=avery)
    when = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)
    client.force_login(avery)
    done = client.post(f"/staff/leads/{lead.pk}/follow-up/", {"follow_up_at": f"{when:%Y-%m-%dT%H:%M}"}, follow=True)

    page = done.content.decode()
    written = date_format(when, "DATETIME_FORMAT")
    assert f"Due <strong>{written}</strong>" in page
    assert f"Follow-up set for {written}" in page
    entry(timeline_on(page), f"Follow-up scheduled for {written} by Avery Lee")


@pytest.mark.django_db
def test_the_assign_list_names_people_in_order_of_their_names(team):
    team["avery"].first_name, team["avery"].last_name = "Zoe", "Adams"  # avery's account, Zoe's name
    team["avery"].save()

    labels = [str(label) for _, label in AssignForm().fields["assignee"].choices]

    assert labels == ["Nobody", "Blake Ortiz", "casey", "Zoe Adams"]


@pytest.mark.django_db
def test_a_merge_already_undone_and_a_revocation_name_the_supervisor(team):
    sam = team["sam"]
    lead = receive_callback(JORDAN)
    twin = Lead.objects.create(name="Jordan W", phone=JORDAN["phone"])
    merge = twin.merge_into(lead, by=team["avery"])
    merge.undo(by=sam, reason="Two people")

    with pytest.raises(Exception, match="already undone by Sam Reyes"):
        merge.undo(by=sam, reason="Again")
    revocation = ConsentRevocation.objects.record(lead, method="call", said_on=timezone.localdate(), by=sam)
    assert revocation.describe().endswith("(recorded by Sam Reyes).")
