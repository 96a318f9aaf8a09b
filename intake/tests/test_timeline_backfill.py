"""Old leads' timelines, read back from the audit log: the claim made by logging the first call,
and hand-overs to people whose usernames have since changed."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from intake.audit import acting_as
from intake.models import Lead
from intake.tests import test_timeline
from intake.tests.helpers import JORDAN
from intake.tests.test_timeline import entry, timeline_on

team = test_timeline.team  # the fixture: Avery Lee and Blake Ortiz work the queue, Sam Reyes supervises


def backfill():
    importlib.import_module("intake.migrations.0013_lead_events_from_the_audit_log").backfill(django_apps, None)


def timeline_of_page(client, user, lead):
    client.force_login(user)
    return timeline_on(client.get(f"/staff/leads/{lead.pk}/").content.decode())


@pytest.mark.django_db
def test_it_reads_back_the_claim_made_by_logging_the_first_call(client, team):
    avery = team["avery"]
    lead = Lead.objects.create(name="Jordan", phone=JORDAN["phone"])
    now = timezone.now()
    with acting_as(avery):
        # What logging the first call did before events: one save of the call, the status and the owner.
        lead.attempts.create(staff=avery, outcome="no_answer", created_at=now)
        lead.attempt_count, lead.last_attempt_at, lead.last_attempt_outcome = 1, now, "no_answer"
        lead.first_contacted_at, lead.status = now, "contacting"
        lead.assigned_to, lead.assigned_at = avery, now
        lead.save()

    backfill()

    entries = timeline_of_page(client, avery, lead)
    entry(entries, "Claimed by logging the first call by Avery Lee")
    entry(entries, "Status: New → Contacting by Avery Lee")
    entry(entries, "No answer by Avery Lee")


@pytest.mark.django_db
def test_a_supervisors_old_hand_over_is_not_read_as_a_claim(client, team):
    sam, blake = team["sam"], team["blake"]
    lead = Lead.objects.create(name="Jordan", phone=JORDAN["phone"])
    with acting_as(sam):
        # The old hand-over: a tracked save of the owner, and an entry written by hand.
        lead.assigned_to, lead.assigned_at = blake, timezone.now()
        lead.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
    lead.audit(sam, "assigned to blake by sam", event="assign", owner="blake", previous_owner=None)

    backfill()

    entries = timeline_of_page(client, sam, lead)
    entry(entries, "Assigned to Blake Ortiz by Sam Reyes")
    assert not [text for _, text in entries if "Claimed" in text]


@pytest.mark.django_db
def test_a_hand_over_to_a_since_renamed_username_does_not_read_as_unassigned(client, team):
    sam = team["sam"]
    lead = Lead.objects.create(name="Jordan", phone=JORDAN["phone"])
    lead.audit(sam, "assigned to bortiz by sam", event="assign", owner="bortiz", previous_owner=None)
    lead.audit(sam, "released by sam", event="assign", owner=None, previous_owner="bortiz")

    backfill()

    entries = timeline_of_page(client, sam, lead)
    entry(entries, "Assigned (to someone no longer on the roster) by Sam Reyes")
    entry(entries, "Unassigned by Sam Reyes")
