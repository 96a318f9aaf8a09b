"""Joining two leads of one person, and taking them apart again.

A merge moves a lead's requests, calls and notes (and what other apps keep about the person,
such as insurance checks: intake.extensions) onto another lead and closes
it as merged. It is a judgment made on a phone number and a name, so it is narrow and reversible:

- the same phone (its keyed hash) only, unless a supervisor writes down why two numbers are one
  person;
- an open source into an open target: a closed or merged lead is history, not a duplicate, and
  a request folded into a closed lead would leave the queue without anybody calling;
- the LeadMerge row, written in the same transaction, names every row moved and every target
  field the merge changed, so that a supervisor can put exactly those back.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..audit import acting_as
from ..crypto import EncryptedTextField
from ..extensions import merge_refusal, part_relations
from .choices import LeadStatus, WorkflowError
from .lead import Lead
from .records import LeadNote
from .staff import is_supervisor, staff_name

# The rows that belong to the person and follow them: reverse relations of Lead, intake's own
# here and other apps' from their lead parts (moved_relations). A Part 2 revocation follows the
# person too (after a merge nothing is sent for either lead), and so does the accounting of what
# was disclosed about them. Part 2 consents hang off their requests.
MOVED_RELATIONS = ("requests", "attempts", "notes", "part2_revocations", "disclosures")

# Target fields a merge may move along with the rows; undo restores each one (see _restored).
CARRIED_FIELDS = (
    "urgent",
    "ok_to_text",
    "ok_to_voicemail",
    "contact_preferences_by_id",
    "contact_preferences_at",
    "first_contacted_at",
    "danger_reported_at",
    "sla_due_at",
    "escalated_at",
    "request_count",
    "attempt_count",
)
SOURCE_FIELDS = ("status", "closed_at", "request_count", "attempt_count")


class LeadMergeQuerySet(models.QuerySet):
    def involving(self, lead) -> "LeadMergeQuerySet":
        return self.filter(Q(source=lead) | Q(target=lead))

    def record_merge(self, source, target, *, by: User, reason: str = "") -> "LeadMerge":
        """Fold `source` into `target`. Raises WorkflowError, changing nothing, when the merge is
        not allowed (see the module's rules) or `by` may not work either lead."""
        if target.pk == source.pk:
            raise WorkflowError("A lead cannot be merged into itself.")
        reason = reason.strip()
        now = timezone.now()
        with transaction.atomic(), acting_as(by):
            _lock_both(source, target, by=by)
            _check_mergeable(source, target, by=by, reason=reason)
            moved = {}
            for name in moved_relations():
                related = getattr(source, name)
                moved[name] = sorted(related.values_list("pk", flat=True))
                related.filter(pk__in=moved[name]).update(lead=target)
            source_before = _values(source, SOURCE_FIELDS)
            target_before = _values(target, CARRIED_FIELDS)
            _carry(source, target, moved)
            target.save()
            source.status, source.merged_into, source.closed_at = LeadStatus.MERGED, target, now
            source.request_count = source.attempt_count = 0
            source.save()
            target_after = _values(target, CARRIED_FIELDS)
            changed = [name for name in CARRIED_FIELDS if target_before[name] != target_after[name]]
            merge = self.create(
                source=source,
                target=target,
                merged_by=by,
                merged_at=now,
                reason=reason,
                across_phones=source.phone_hash != target.phone_hash,
                moved=moved,
                source_before=source_before,
                target_before={name: target_before[name] for name in changed},
                target_after={name: target_after[name] for name in changed},
            )
            why = f" Reason given: {reason}" if reason else ""
            LeadNote.objects.create(
                lead=target, author=by, created_at=now, body=f"{source.reference} was merged into this lead.{why}"
            )
            counts = {name: len(ids) for name, ids in moved.items()}
            details = {"event": "merge", "merge_id": merge.pk, "moved": counts, "across_phones": merge.across_phones}
            source.audit(by, f"merged into {target.reference}", **details)
            target.audit(by, f"received {source.reference} by merge", **details)
        return merge


class LeadMerge(models.Model):
    """One merge, kept whole: what moved and what it changed, so that it can be undone."""

    source = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="merges_in")
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    # Free text may name people: encrypted like a note.
    reason = EncryptedTextField(max_length=1000, blank=True)
    across_phones = models.BooleanField(default=False, help_text="A supervisor joined leads with different phones.")
    # {"requests": [ids], "attempts": [ids], "notes": [ids], "verifications": [ids], ...}
    moved = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # The target's fields the merge changed, as they were before and as the merge left them.
    target_before = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    target_after = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    source_before = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    undone_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = EncryptedTextField(max_length=1000, blank=True)

    objects = LeadMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"Merge #{self.pk} of lead #{self.source_id} into lead #{self.target_id}"

    def undo(self, *, by: User, reason: str) -> None:
        """Put back exactly what this merge moved, and reopen the source as it was. Rows and
        requests that reached the target since stay there."""
        reason = reason.strip()
        if not is_supervisor(by):
            raise WorkflowError("Only a supervisor can undo a merge.")
        if not reason:
            raise WorkflowError("Say why this merge is being undone.")
        now = timezone.now()
        with transaction.atomic(), acting_as(by):
            # Locked, then read again: of two supervisors undoing at once, the second sees it done.
            LeadMerge.objects.select_for_update().filter(pk=self.pk).get()
            self.refresh_from_db()
            leads = Lead.objects.select_for_update().in_bulk([self.source_id, self.target_id])
            source, target = leads[self.source_id], leads[self.target_id]
            if self.undone_at:
                raise WorkflowError(f"This merge was already undone by {staff_name(self.undone_by)}.")
            if source.is_anonymised or target.is_anonymised:
                raise WorkflowError("A lead of this merge was anonymised under the retention policy; it stays merged.")
            if target.status == LeadStatus.MERGED:
                raise WorkflowError(
                    f"{target.reference} was itself merged into {target.merged_into.reference} since: "
                    f"undo that merge first, on {target.merged_into.reference}."
                )
            for name, ids in self.moved.items():
                back = getattr(target, name).filter(pk__in=ids).update(lead=source) if ids else 0
                if back != len(ids):
                    raise WorkflowError(
                        f"Some of the moved {name} are no longer on {target.reference}; nothing was undone."
                    )
            self._keep_part2_records(source, target)
            kept_careful = self._restore_target(target)
            target.save()
            target.refresh_from_db(fields=["request_count", "attempt_count"])
            for name, value in self.source_before.items():
                setattr(source, name, _loaded(name, value))
            source.merged_into = None
            source.save()
            self.undone_by, self.undone_at, self.undo_reason = by, now, reason
            self.save(update_fields=["undone_by", "undone_at", "undo_reason"])
            careful = (
                " Texts and voicemail stay as narrow as the merge made them: record the person's own answer on a call."
                if kept_careful
                else ""
            )
            LeadNote.objects.create(
                lead=target,
                author=by,
                created_at=now,
                body=f"The merge of {source.reference} into this lead was undone; what it brought is back there."
                f"{careful} Reason given: {reason}",
            )
            LeadNote.objects.create(
                lead=source,
                author=by,
                created_at=now,
                body=f"The merge into {target.reference} was undone; this lead is open again. Reason given: {reason}",
            )
            details = {"event": "merge_undone", "merge_id": self.pk}
            source.audit(by, f"taken back out of {target.reference} (merge undone)", **details)
            target.audit(by, f"gave back {source.reference} (merge undone)", **details)

    def _keep_part2_records(self, source, target) -> None:
        """What 42 CFR Part 2 recorded while the leads were one: a revocation the person gave
        then may have been theirs, so it stays on both (a "stop" is never lost by an undo); a
        disclosure made under a consent of a request that goes back goes back with it."""
        for revocation in target.part2_revocations.filter(recorded_at__gte=self.merged_at):
            source.part2_revocations.create(
                method=revocation.method,
                said_on=revocation.said_on,
                recorded_by=revocation.recorded_by,
                recorded_at=revocation.recorded_at,
            )
        target.disclosures.filter(
            disclosed_at__gte=self.merged_at, consent__lead_request__in=self.moved.get("requests", [])
        ).update(lead=source)

    def _restore_target(self, target) -> bool:
        """Set the target's fields as they would be without this merge; True when a permission the
        merge narrowed stays narrowed."""
        kept_careful = False
        for name, before in self.target_before.items():
            before, after, now = _loaded(name, before), _loaded(name, self.target_after[name]), getattr(target, name)
            if name in ("ok_to_text", "ok_to_voicemail"):
                # Never widened by an undo: a "no" costs a call, a wrong "yes" can out someone on a
                # shared phone. Staff widen them with the person's own answer.
                setattr(target, name, before and now)
                kept_careful |= before and not now
            elif name in ("contact_preferences_by_id", "contact_preferences_at"):
                pass  # cleared because the merge narrowed a permission, which stays narrowed
            elif name == "urgent":
                setattr(target, name, before or target.requests.filter(urgent=True).exists())
            elif name == "first_contacted_at":
                earliest = target.attempts.order_by("created_at").values_list("created_at", flat=True).first()
                setattr(target, name, min((t for t in (before, earliest) if t), default=None))
            elif name in ("request_count", "attempt_count"):
                moved = self.moved.get("requests" if name == "request_count" else "attempts", [])
                setattr(target, name, F(name) - len(moved))
            elif now == after:
                # Nothing changed it since the merge (a new report of danger would have).
                setattr(target, name, before)
        return kept_careful


def moved_relations() -> tuple[str, ...]:
    return (*MOVED_RELATIONS, *part_relations())


def _lock_both(source, target, *, by: User) -> None:
    """Lock both rows (in id order, so two merges of one pair cannot deadlock), refuse `by` if
    either is someone else's, and read both again under the lock."""
    for lead in sorted((source, target), key=lambda lead: lead.pk):
        lead.lock_for(by)
    source.refresh_from_db()
    target.refresh_from_db()


def _check_mergeable(source, target, *, by: User, reason: str) -> None:
    if source.status == LeadStatus.MERGED:
        raise WorkflowError(f"{source.reference} was already merged into {source.merged_into.reference}.")
    if not source.is_open:
        raise WorkflowError(
            f"{source.reference} is closed ({source.get_status_display().lower()}): it is history, not a duplicate."
        )
    if target.status == LeadStatus.MERGED and target.merged_into_id == source.pk:
        raise WorkflowError(f"{target.reference} was already merged into {source.reference}.")
    if target.status == LeadStatus.MERGED:
        raise WorkflowError(f"{target.reference} was itself merged; merge into {target.merged_into.reference}.")
    if not target.is_open:
        raise WorkflowError(f"{target.reference} is closed; reopen it first, or nobody would call about this request.")
    if source.phone_hash != target.phone_hash:
        if not is_supervisor(by):
            raise WorkflowError(
                f"{target.reference} has a different phone number. Only a supervisor can join leads with "
                "different numbers, and says why."
            )
        if not reason:
            raise WorkflowError("Say why leads with different phone numbers are the same person.")
    # Another app's rows that a plain move would break (a bed held for one lead): it says so.
    if refusal := merge_refusal(source, target):
        raise WorkflowError(refusal)


def _carry(source, target, moved: dict) -> None:
    """What the source brings to the target besides its rows: the most careful permissions,
    urgency and a report of danger still waiting for a call, and its first call."""
    narrowed = (target.ok_to_text and not source.ok_to_text) or (target.ok_to_voicemail and not source.ok_to_voicemail)
    target.ok_to_text = target.ok_to_text and source.ok_to_text
    target.ok_to_voicemail = target.ok_to_voicemail and source.ok_to_voicemail
    if narrowed:
        # The page must not say "the person asked us" of a "no" the other lead's form gave.
        target.contact_preferences_by = target.contact_preferences_at = None
    target.urgent = target.urgent or source.urgent
    if source.danger_reported_at and (
        target.danger_reported_at is None or source.danger_reported_at > target.danger_reported_at
    ):
        target.danger_reported_at, target.escalated_at = source.danger_reported_at, source.escalated_at
    if target.first_contacted_at is None and source.first_contacted_at is None and source.sla_due_at:
        target.sla_due_at = min(target.sla_due_at or source.sla_due_at, source.sla_due_at)
    if source.first_contacted_at and (
        target.first_contacted_at is None or source.first_contacted_at < target.first_contacted_at
    ):
        target.first_contacted_at = source.first_contacted_at
    target.request_count += len(moved.get("requests", []))
    target.attempt_count += len(moved.get("attempts", []))


def _values(lead, names: tuple[str, ...]) -> dict:
    return {name: _stored(getattr(lead, name)) for name in names}


def _stored(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _loaded(name: str, value):
    return parse_datetime(value) if value and name.endswith("_at") else value
