"""Merging two leads of one person: narrow (same phone, open leads), recorded row by row, and
undone by a supervisor exactly."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from intake.models import (
    ConsentRevocation,
    ContactAttempt,
    Disclosure,
    Lead,
    LeadMerge,
    LeadNote,
    LeadRequest,
    LeadStatus,
    Part2Consent,
    WorkflowError,
)
from intake.retention import REMOVED, anonymise_expired
from intake.tests.test_workflow import run_together

JORDAN = "+14155552671"


def signed_in(client, user):
    client.force_login(user)
    return client


def make_lead(phone=JORDAN, *, requests=1, urgent=False, **fields) -> Lead:
    lead = Lead.objects.create(name="Jordan Whitlock", phone=phone, urgent=urgent, request_count=requests, **fields)
    for _ in range(requests):
        lead.requests.create(consent_version="v", consent_at=timezone.now(), urgent=urgent)
    return lead


def rows_of(lead: Lead) -> dict:
    return {
        "requests": sorted(LeadRequest.objects.filter(lead=lead).values_list("pk", flat=True)),
        "attempts": sorted(ContactAttempt.objects.filter(lead=lead).values_list("pk", flat=True)),
        "notes": sorted(LeadNote.objects.filter(lead=lead).values_list("pk", flat=True)),
        "part2_revocations": sorted(ConsentRevocation.objects.filter(lead=lead).values_list("pk", flat=True)),
        "disclosures": sorted(Disclosure.objects.filter(lead=lead).values_list("pk", flat=True)),
    }


WORKED_FIELDS = [
    "status",
    "closed_at",
    "merged_into",
    "urgent",
    "ok_to_text",
    "ok_to_voicemail",
    "first_contacted_at",
    "danger_reported_at",
    "sla_due_at",
    "request_count",
    "attempt_count",
]


def fields_of(lead: Lead) -> dict:
    return Lead.objects.filter(pk=lead.pk).values(*WORKED_FIELDS).get()


# --- Who may merge what ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_merges_only_leads_with_the_same_phone(client, staff):
    lead, same, other = make_lead(), make_lead(), make_lead("+12025550143")
    closed = make_lead(status=LeadStatus.NOT_A_FIT)
    avery = signed_in(client, staff["avery"])

    page = avery.get(f"/staff/leads/{lead.pk}/").content.decode()
    assert f'value="{same.reference}"' in page  # offered: open, same phone
    assert f'value="{other.reference}"' not in page and f'value="{closed.reference}"' not in page
    assert 'name="reference"' not in page  # typing any reference is for supervisors

    response = avery.post(f"/staff/leads/{lead.pk}/merge/", {"reference": other.reference, "reason": "same voice"})
    assert response.status_code == 400
    assert "Only a supervisor can merge into a lead with another phone number" in response.content.decode()
    with pytest.raises(WorkflowError, match="Only a supervisor can join leads with different numbers"):
        lead.merge_into(other, by=staff["avery"])
    assert LeadMerge.objects.count() == 0 and fields_of(lead)["status"] == LeadStatus.NEW


@pytest.mark.django_db
def test_a_supervisor_joins_different_phones_only_with_a_written_reason(client, staff):
    lead, other = make_lead(), make_lead("+12025550143")
    sam = signed_in(client, staff["sam"])
    assert 'name="reference"' in sam.get(f"/staff/leads/{lead.pk}/").content.decode()

    response = sam.post(f"/staff/leads/{lead.pk}/merge/", {"reference": other.reference})
    assert response.status_code == 400
    assert "Say why leads with different phone numbers are the same person" in response.content.decode()
    assert LeadMerge.objects.count() == 0

    reason = "Called back from her work phone; same date of birth and address"
    response = sam.post(f"/staff/leads/{lead.pk}/merge/", {"reference": other.reference, "reason": reason})
    assert response.status_code == 302
    merge = LeadMerge.objects.get()
    assert (merge.source, merge.target, merge.merged_by, merge.reason) == (lead, other, staff["sam"], reason)
    assert merge.across_phones
    entry = LogEntry.objects.get(object_id=lead.pk, additional_data__event="merge")
    assert entry.actor == staff["sam"] and entry.additional_data["across_phones"] is True
    assert "work phone" not in str(entry.additional_data)  # the reason is free text: on the merge, encrypted


@pytest.mark.django_db
def test_it_refuses_a_closed_or_merged_source_and_a_closed_target(client, staff):
    target = make_lead()
    closed = make_lead(status=LeadStatus.REFERRED, closed_at=timezone.now())
    merged = make_lead()
    merged.merge_into(make_lead(), by=staff["avery"])
    sam = staff["sam"]

    with pytest.raises(WorkflowError, match="is closed"):
        closed.merge_into(target, by=sam)
    with pytest.raises(WorkflowError, match="was already merged"):
        merged.merge_into(target, by=sam)
    with pytest.raises(WorkflowError, match="reopen it first"):
        target.merge_into(closed, by=sam)
    response = signed_in(client, sam).post(f"/staff/leads/{closed.pk}/merge/", {"reference": target.reference})
    assert response.status_code == 400 and "is closed" in response.content.decode()
    assert LeadMerge.objects.count() == 1
    assert rows_of(target)["requests"] == list(target.requests.values_list("pk", flat=True))
    assert fields_of(closed)["status"] == LeadStatus.REFERRED


# --- What a merge records, and undoing it -----------------------------------------------------------


@pytest.fixture
def pair(client, staff, visitor_data):
    """Jordan's callback request (the source, urgent, reached once, a note) and another lead of the
    same phone (the target, not urgent, no call yet). A verification's rows moving with the person:
    verification/tests/test_on_the_lead.py."""
    assert client.post("/callback/", visitor_data).status_code == 302
    source = Lead.objects.get()
    now = timezone.now()
    Lead.objects.filter(pk=source.pk).update(urgent=True, danger_reported_at=now, ok_to_text=True, ok_to_voicemail=True)
    source.refresh_from_db()
    target = make_lead(ok_to_text=False, ok_to_voicemail=False)
    target.sla_due_at = now + dt.timedelta(hours=2)
    target.save()
    source.log_attempt(by=staff["avery"], outcome="no_answer")
    source.add_note("Her sister may pick up", by=staff["avery"])
    # What was disclosed about her, and her "stop sending", are hers: they follow her lead.
    Disclosure.objects.record(
        source.pk, consent=None, recipients=["Aetna"], what="member ID", purpose="eligibility", channel="test"
    )
    ConsentRevocation.objects.record(source, method="call", said_on=now.date(), by=staff["avery"])
    return source, target


@pytest.mark.django_db
def test_merge_records_exactly_what_moved_and_undo_puts_back_exactly_that(client, staff, pair):
    source, target = pair
    rows_before = {"source": rows_of(source), "target": rows_of(target)}
    fields_before = {"source": fields_of(source), "target": fields_of(target)}
    assert rows_before["source"]["disclosures"] and rows_before["source"]["part2_revocations"]

    response = signed_in(client, staff["avery"]).post(f"/staff/leads/{source.pk}/merge/", {"target": target.reference})
    assert response.status_code == 302
    merge = LeadMerge.objects.get()
    assert {name: merge.moved[name] for name in rows_before["source"]} == rows_before["source"]
    assert merge.source_before["status"] == LeadStatus.CONTACTING
    assert {"urgent", "first_contacted_at", "request_count", "attempt_count"} <= set(merge.target_before)
    assert merge.target_before["urgent"] is False
    merged = fields_of(target)
    assert merged["urgent"] and merged["attempt_count"] == 1 and merged["first_contacted_at"]
    assert not merged["ok_to_text"]  # the most careful of the two stays

    later = target.requests.create(consent_version="v", consent_at=timezone.now())  # a new ask after the merge
    response = signed_in(client, staff["sam"]).post(
        f"/staff/leads/{target.pk}/merges/{merge.pk}/undo/", {"reason": "Two sisters sharing one phone"}, follow=True
    )
    assert f"{source.reference} is separate again" in response.content.decode()

    undone = {"source": rows_of(source), "target": rows_of(target)}
    new_source_notes = LeadNote.objects.filter(lead=source).exclude(pk__in=rows_before["source"]["notes"])
    assert [note.body[:30] for note in new_source_notes] == [f"The merge into {target.reference} was undone"[:30]]
    assert undone["source"] == {**rows_before["source"], "notes": undone["source"]["notes"]}
    assert undone["target"]["requests"] == sorted([*rows_before["target"]["requests"], later.pk])
    assert not undone["target"]["attempts"]
    assert not undone["target"]["disclosures"] and not undone["target"]["part2_revocations"]
    assert len(undone["target"]["notes"]) == 2  # "merged into this lead", then "undone", kept as history
    assert fields_of(source) == fields_before["source"]
    assert fields_of(target) == fields_before["target"]
    merge.refresh_from_db()
    assert (merge.undone_by, merge.undo_reason) == (staff["sam"], "Two sisters sharing one phone")
    assert merge.undone_at is not None


@pytest.mark.django_db
def test_undo_never_widens_a_permission_the_merge_narrowed(staff):
    target = make_lead(ok_to_text=True, ok_to_voicemail=True)
    source = make_lead(ok_to_text=False, ok_to_voicemail=True)
    merge = source.merge_into(target, by=staff["avery"])
    merge.undo(by=staff["sam"], reason="different people")

    target.refresh_from_db()
    assert (target.ok_to_text, target.ok_to_voicemail) == (False, True)
    assert "Texts and voicemail stay as narrow as the merge made them" in target.notes.last().body


@pytest.mark.django_db
def test_merge_and_undo_are_on_both_leads_audit_pages(client, staff):
    source, target = make_lead(), make_lead()
    merge = source.merge_into(target, by=staff["avery"])
    merge.undo(by=staff["sam"], reason="not the same person")

    sam = signed_in(client, staff["sam"])
    for lead in (source, target):
        page = sam.get(f"/staff/leads/{lead.pk}/audit/").content.decode()
        assert "merge undone" in page and ("merged into" in page or "by merge" in page), lead
    source_page = sam.get(f"/staff/leads/{source.pk}/audit/").content.decode()
    assert f"{source.reference} merged into {target.reference}" in source_page
    target_page = sam.get(f"/staff/leads/{target.pk}/audit/").content.decode()
    assert f"{target.reference} received {source.reference} by merge" in target_page


@pytest.mark.django_db
def test_undo_waits_for_a_later_merge_of_the_target_to_be_undone_first(client, staff):
    a, b, c = make_lead(), make_lead(), make_lead()
    first = a.merge_into(b, by=staff["avery"])
    b.refresh_from_db()
    second = b.merge_into(c, by=staff["avery"])
    sam = signed_in(client, staff["sam"])

    page = sam.post(f"/staff/leads/{a.pk}/merges/{first.pk}/undo/", {"reason": "wrong"}, follow=True).content.decode()
    assert f"{b.reference} was itself merged into {c.reference} since: undo that merge first" in page
    assert fields_of(a)["status"] == LeadStatus.MERGED

    second.undo(by=staff["sam"], reason="wrong")
    first.undo(by=staff["sam"], reason="wrong")
    assert fields_of(a)["status"] == fields_of(b)["status"] == LeadStatus.NEW
    with pytest.raises(WorkflowError, match="already undone"):
        first.undo(by=staff["sam"], reason="again")


@pytest.mark.django_db
def test_only_a_supervisor_undoes_a_merge_and_says_why(client, staff):
    source, target = make_lead(), make_lead()
    merge = source.merge_into(target, by=staff["avery"])
    url = f"/staff/leads/{source.pk}/merges/{merge.pk}/undo/"

    assert signed_in(client, staff["avery"]).post(url, {"reason": "mine"}).status_code == 403
    assert 'action="' + url not in client.get(f"/staff/leads/{source.pk}/").content.decode()
    sam = signed_in(client, staff["sam"])
    assert f'action="{url}"' in sam.get(f"/staff/leads/{source.pk}/").content.decode()
    page = sam.post(url, {"reason": "  "}, follow=True).content.decode()
    assert "Say why this merge is being undone" in page
    merge.refresh_from_db()
    assert merge.undone_at is None and fields_of(source)["status"] == LeadStatus.MERGED
    # A merge is undone from the page of one of its own leads only.
    assert sam.post(f"/staff/leads/{make_lead().pk}/merges/{merge.pk}/undo/", {"reason": "x"}).status_code == 404


@pytest.mark.django_db
def test_retention_blanks_a_merge_reason_and_an_anonymised_lead_is_not_reopened(staff, settings):
    settings.RETENTION_DAYS = 30
    source, target = make_lead(), make_lead("+12025550143")
    merge = source.merge_into(target, by=staff["sam"], reason="Jordan's sister confirmed it is her work phone")
    Lead.objects.filter(pk=source.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))

    assert anonymise_expired().lead_ids == [source.pk]
    merge.refresh_from_db()
    assert merge.reason == REMOVED
    with pytest.raises(WorkflowError, match="anonymised under the retention policy"):
        merge.undo(by=staff["sam"], reason="checking")
    assert fields_of(source)["status"] == LeadStatus.MERGED


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_one_pair_at_once_leave_one_merge_and_no_deadlock(staff):
    def merge(source, target):
        try:
            return Lead.objects.get(pk=source.pk).merge_into(Lead.objects.get(pk=target.pk), by=staff["sam"])
        except WorkflowError as exc:
            return str(exc)

    for a, b in [(make_lead(), make_lead()) for _ in range(3)]:
        results = run_together(lambda a=a, b=b: merge(a, b), lambda a=a, b=b: merge(b, a))

        merges = [r for r in results if isinstance(r, LeadMerge)]
        assert len(merges) == 1 and "was already merged" in next(r for r in results if isinstance(r, str))
        statuses = sorted(Lead.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
        assert statuses == [LeadStatus.MERGED, LeadStatus.NEW]


@pytest.mark.django_db
def test_undo_keeps_a_revocation_given_while_merged_and_gives_back_what_was_disclosed_for_the_source(staff):
    source, target = make_lead("+14155552671"), make_lead("+16465550173")
    consent = Part2Consent.objects.record(
        source.requests.get(), version="verification-part2-2026-11-30", patient="Jordan Whitlock", recipients=["Aetna"]
    )
    source.merge_into(target, by=staff["sam"], reason="Same person, new phone")
    merge = LeadMerge.objects.get()
    # While they are one lead: a 270 under the source's consent, and the person says "stop".
    sent = Disclosure.objects.record(
        target.pk, consent=consent, recipients=["Aetna"], what="member ID", purpose="eligibility", channel="x12"
    )
    ConsentRevocation.objects.record(target, method="call", said_on=timezone.localdate(), by=staff["sam"])

    merge.undo(by=staff["sam"], reason="Two people after all")

    assert list(source.part2_revocations.values_list("method", flat=True)) == ["call"]
    assert target.part2_revocations.count() == 1  # kept on both: it may have been either's
    sent.refresh_from_db()
    assert sent.lead_id == source.pk


@pytest.mark.django_db
def test_a_merged_lead_is_not_worked_any_more(client, staff):
    source, target = make_lead(), make_lead()
    source.merge_into(target, by=staff["avery"])
    avery = signed_in(client, staff["avery"])

    page = avery.post(f"/staff/leads/{source.pk}/claim/", follow=True).content.decode()
    assert f"merged into {target.reference}: work it there" in page
    avery.post(f"/staff/leads/{source.pk}/notes/", {"body": "left on the old lead"})
    avery.post(f"/staff/leads/{source.pk}/attempts/", {"outcome": "no_answer"})

    source.refresh_from_db()
    assert source.assigned_to is None and not source.notes.filter(body="left on the old lead").exists()
    assert source.attempts.count() == 0
    assert "Nothing is worked on a merged lead" in avery.get(f"/staff/leads/{source.pk}/").content.decode()
    with pytest.raises(WorkflowError):
        source.claim(by=staff["avery"])
