"""Moving a lead through its statuses, closing it with the facts of its outcome, and reopening it.

A lead is closed only with what happened: admitted (the date and the level of care, perhaps a
programme), referred elsewhere (to whom), not a fit (a reason from NotAFitReason, a note for
"other"), unreachable (after UNREACHABLE_AFTER_ATTEMPTS calls since it was last reopened: calls
before an earlier outcome justify nothing now). The worker confirms the facts after seeing them
(`confirmation_token`). Reopening says why. Each change leaves a LeadEvent in the same
transaction; the facts are kept on the closing event (free text encrypted), and the admission
date also on the lead itself (`admitted_on`) for the queue.
"""

import contextlib
import datetime as dt
import json
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ..audit import acting_as
from ..crypto import keyed_hash
from .choices import (
    ADMISSION_PATH,
    CLOSED_STATUSES,
    TRANSITIONS,
    LeadStatus,
    LevelOfCare,
    NotAFitReason,
    WorkflowError,
)
from .events import EventKind, LeadEvent, day
from .staff import is_clinician

# Sent inside the transaction of every status change (by hand, along the admissions path, closing,
# reopening) with `lead`, `previous`, `status` and `by`: another app keeps its rows in step (a bed
# held for a lead closed another way is freed) without intake knowing it.
lead_status_changed = Signal()

CONFIRMATION_SALT = "intake.close-lead"
CONFIRMATION_MAX_AGE = 2 * 60 * 60  # a review left open over a long call still confirms


class OutcomeRefused(WorkflowError):
    """Facts missing or wrong: `errors` maps each form field to what to fix there."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass
class OutcomeFacts:
    """What a worker records when closing a lead. Only the fields of `status` count."""

    status: str
    admitted_on: dt.date | None = None
    level_of_care: str = ""
    programme: str = ""
    referred_to: str = ""
    reason: str = ""
    note: str = ""

    def errors(self, lead) -> dict[str, str]:
        """Each field's problem in words for the worker; empty when the facts will do."""
        errors = {}
        if self.status == LeadStatus.ADMITTED:
            asked_on = timezone.localtime(lead.created_at).date()
            if self.admitted_on is None:
                errors["admitted_on"] = "Enter the date they were admitted."
            elif self.admitted_on > timezone.localdate():
                errors["admitted_on"] = "That date is in the future: record the admission once they have arrived."
            elif self.admitted_on < asked_on:
                errors["admitted_on"] = f"That is before they first asked us, on {day(asked_on)}: check the date."
            if self.level_of_care not in LevelOfCare.values:
                errors["level_of_care"] = "Choose the level of care they were admitted to."
        elif self.status == LeadStatus.REFERRED:
            if not self.referred_to.strip():
                errors["referred_to"] = "Say where they were referred: a programme, a clinic or a person."
        elif self.status == LeadStatus.NOT_A_FIT:
            if self.reason not in NotAFitReason.values:
                errors["reason"] = "Choose why they are not a fit."
            elif self.reason == NotAFitReason.OTHER and not self.note.strip():
                errors["note"] = "You chose “Other”: say why in the note."
        elif self.status != LeadStatus.UNREACHABLE:
            errors["status"] = "Choose how this lead ends: admitted, referred elsewhere, not a fit or unreachable."
        return errors

    def as_event(self, lead, *, by: User, at: dt.datetime | None = None) -> LeadEvent:
        """The closing event these facts make, unsaved: `close` saves it, the confirmation step
        shows it. Only this outcome's facts are kept."""
        details = {"from": lead.status, "to": self.status}
        text = self.note.strip()
        if self.status == LeadStatus.ADMITTED:
            details |= {"admitted_on": self.admitted_on.isoformat(), "level_of_care": self.level_of_care}
            text = self.programme.strip()
        elif self.status == LeadStatus.REFERRED:
            text = self.referred_to.strip()
        elif self.status == LeadStatus.NOT_A_FIT:
            details["reason"] = self.reason
        else:
            details["attempts"] = lead.attempts_since_reopened().count()
        at = at or timezone.now()
        return LeadEvent(lead=lead, kind=EventKind.CLOSED, actor=by, at=at, text=text, details=details)

    def confirmation_token(self, lead, *, by: User) -> str:
        """Carried by the confirmation step: proof that `by` saw these very facts for this lead.
        It holds a keyed hash of the facts, never the facts (free text is PHI)."""
        return signing.dumps({"lead": lead.pk, "by": by.pk, "facts": self._fingerprint()}, salt=CONFIRMATION_SALT)

    def confirmed_by(self, token: str, lead, *, by: User) -> bool:
        """Whether `token` was made when `by` reviewed exactly these facts for this lead, lately."""
        try:
            seen = signing.loads(token or "", salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
        except signing.BadSignature:
            return False
        return seen == {"lead": lead.pk, "by": by.pk, "facts": self._fingerprint()}

    def _fingerprint(self) -> str:
        facts = asdict(self)
        facts["admitted_on"] = self.admitted_on.isoformat() if self.admitted_on else None
        return keyed_hash(json.dumps(facts, sort_keys=True))


class LeadWorkflow:
    """Mixed into Lead: its status, changed only through these methods."""

    def allowed_transitions(self) -> list[str]:
        allowed = list(TRANSITIONS.get(self.status, []))
        if LeadStatus.UNREACHABLE in allowed and not self._tried_enough():
            allowed.remove(LeadStatus.UNREACHABLE)
        return allowed

    def last_reopened_at(self) -> dt.datetime | None:
        """When this lead was last reopened; None if it never was."""
        return self.events.filter(kind=EventKind.REOPENED).order_by("-at").values_list("at", flat=True).first()

    def attempts_since_reopened(self, reopened_at: dt.datetime | None = None):
        """The calls made since this lead was last reopened (all of them if it never was): only
        these justify closing it as unreachable now. `reopened_at`: last_reopened_at(), if read."""
        reopened_at = reopened_at or self.last_reopened_at()
        attempts = self.attempts.all()
        return attempts.filter(created_at__gt=reopened_at) if reopened_at else attempts

    def _tried_enough(self) -> bool:
        needed = settings.UNREACHABLE_AFTER_ATTEMPTS
        # attempt_count counts every call ever made: too few of those settles it without a query.
        return self.attempt_count >= needed and self.attempts_since_reopened().count() >= needed

    def moves(self) -> tuple[list[str], list[str]]:
        """What a worker may do with this lead's status now, from one reading of the workflow:
        the open statuses to move it to by hand, and the outcomes to close it with."""
        allowed = self.allowed_transitions()
        closing = [s for s in allowed if s in CLOSED_STATUSES]
        return ([s for s in allowed if s not in CLOSED_STATUSES] if self.is_open else []), closing

    def closing_outcomes(self) -> list[str]:
        """The outcomes this lead may be closed with now."""
        return self.moves()[1]

    def transition(self, to: str, by: User) -> None:
        """Move an open lead to another open status. Closing (`close`) needs the outcome's facts,
        and reopening (`reopen`) a reason."""
        with self.worked_by(by):
            self.refresh_from_db(fields=["status", "attempt_count"])
            self._refuse_move(to)
            if to in CLOSED_STATUSES:
                raise WorkflowError("Closing a lead records its outcome: choose the outcome and give its facts.")
            if not self.is_open:
                raise WorkflowError("Reopening a lead needs a reason: use Reopen and say why.")
            previous, self.status = self.status, to
            self.save(update_fields=["status", "updated_at"])
            LeadEvent.objects.record(self, EventKind.STATUS, by=by, **{"from": previous, "to": to})
            lead_status_changed.send(type(self), lead=self, previous=previous, status=to, by=by)

    def advance(self, to: str, *, by: User | None, text: str = "", **details) -> LeadEvent:
        """Move an open lead one step along the admissions path (ADMISSION_PATH) because something
        happened: a screen was finished, a clinician decided, a bed was held or freed. `details`
        (no PHI) and `text` (free text, kept encrypted) go on the event. A clinician's decision
        is theirs to make whoever has claimed the lead; anyone else must be allowed to work it.
        `by` None: Lantern itself (a hold that expired)."""
        with transaction.atomic(), acting_as(by) if by else contextlib.nullcontext():
            if by is None or is_clinician(by):
                type(self).objects.select_for_update().filter(pk=self.pk).values_list("pk").get()
                self.refresh_from_db(fields=["status", "merged_into"])
                self.refuse_if_merged()
            else:
                self.lock_for(by)
                self.refresh_from_db(fields=["status"])
            if to not in ADMISSION_PATH.get(self.status, []):
                target = LeadStatus(to).label.lower() if to in LeadStatus.values else "that"
                raise WorkflowError(f"A lead that is {self.get_status_display().lower()} cannot become {target}.")
            previous, self.status = self.status, to
            self.save(update_fields=["status", "updated_at"])
            details = {"from": previous, "to": to, **details}
            event = LeadEvent.objects.record(self, EventKind.STATUS, by=by, text=text, **details)
            lead_status_changed.send(type(self), lead=self, previous=previous, status=to, by=by)
            return event

    def close(self, facts: OutcomeFacts, by: User) -> LeadEvent:
        """Close the lead with the facts of its outcome. Raises OutcomeRefused (nothing saved)
        when a fact is missing or wrong, WorkflowError when the lead cannot close so."""
        with self.worked_by(by):
            self.refresh_from_db(fields=["status", "attempt_count", "created_at"])
            self._refuse_move(facts.status)
            if facts.status not in CLOSED_STATUSES:
                raise WorkflowError("Choose how this lead ends.")
            if errors := facts.errors(self):
                raise OutcomeRefused(errors)
            event = facts.as_event(self, by=by)
            self.status, self.closed_at, self.follow_up_at = facts.status, event.at, None
            self.admitted_on = facts.admitted_on if facts.status == LeadStatus.ADMITTED else None
            self.save(update_fields=["status", "closed_at", "follow_up_at", "admitted_on", "updated_at"])
            event.save()
            lead_status_changed.send(type(self), lead=self, previous=event.details["from"], status=facts.status, by=by)
            return event

    def reopen(self, reason: str, by: User) -> None:
        """A closed lead back to contacting, with why (free text, kept encrypted on the event)."""
        reason = reason.strip()
        if not reason:
            raise OutcomeRefused({"reason": "Say why this lead is being reopened."})
        with self.worked_by(by):
            self.refresh_from_db(fields=["status"])
            if self.status not in CLOSED_STATUSES:
                raise WorkflowError("This lead is not closed.")
            previous = self.status
            self.status, self.closed_at, self.admitted_on = LeadStatus.CONTACTING, None, None
            self.save(update_fields=["status", "closed_at", "admitted_on", "updated_at"])
            LeadEvent.objects.record(self, EventKind.REOPENED, by=by, text=reason, **{"from": previous})
            lead_status_changed.send(type(self), lead=self, previous=previous, status=self.status, by=by)

    def outcome(self) -> LeadEvent | None:
        """The event that closed this lead as it is now (for a lead closed before outcomes were
        asked for, one read back from the audit log, marked `backfilled`, or None); None while open."""
        if self.status not in CLOSED_STATUSES:
            return None
        last = self.events.filter(kind__in=[EventKind.CLOSED, EventKind.REOPENED]).select_related("actor").last()
        if last and last.kind == EventKind.CLOSED and last.details.get("to") == self.status:
            return last
        return None

    def closing_refusal(self, status: str) -> str:
        """Why this lead cannot be closed as `status` now, in words for the worker."""
        if status not in CLOSED_STATUSES:
            return "Choose how this lead ends: admitted, referred elsewhere, not a fit or unreachable."
        try:
            self._refuse_move(status)
        except WorkflowError as exc:
            return str(exc)
        return ""

    def _refuse_move(self, to: str) -> None:
        if to in self.allowed_transitions():
            return
        if to == LeadStatus.UNREACHABLE and to in TRANSITIONS.get(self.status, []):
            needed = settings.UNREACHABLE_AFTER_ATTEMPTS
            since = " since it was reopened" if self.last_reopened_at() else ""
            raise WorkflowError(f"Make at least {needed} attempts{since} before marking a lead unreachable.")
        target = LeadStatus(to).label.lower() if to in LeadStatus.values else "that"
        raise WorkflowError(f"A lead that is {self.get_status_display().lower()} cannot become {target}.")
