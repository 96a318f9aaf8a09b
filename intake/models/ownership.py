"""Who works a lead: claiming, releasing, handing it out, and the rule every write checks.

An unclaimed lead is anyone's on the admissions team (logging the first call claims it, as
before); a claimed one is its owner's and the supervisors'. Every write on a lead checks this
under a row lock (`lock_for`), so a claim made after the page was loaded still counts.
"""

from contextlib import contextmanager

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..audit import acting_as, record_change
from .choices import ClaimedByAnother, WorkflowError
from .events import EventKind, LeadEvent
from .staff import is_supervisor, staff_name


class LeadOwnership:
    """Mixed into Lead: its `assigned_to` is the claim."""

    def may_be_worked_by(self, user: User) -> bool:
        return self.assigned_to_id in (None, user.pk) or is_supervisor(user)

    def claimed_message(self) -> str:
        return f"Claimed by {staff_name(self.assigned_to)}; ask them or a supervisor."

    def lock_for(self, by: User) -> None:
        """Lock this lead's row for the rest of the transaction, and refuse `by` unless they may
        work it (ClaimedByAnother)."""
        owner, merged_into = (
            type(self).objects.select_for_update().values_list("assigned_to", "merged_into").get(pk=self.pk)
        )
        if (owner, merged_into) != (self.assigned_to_id, self.merged_into_id):
            self.refresh_from_db(fields=["assigned_to", "assigned_at", "merged_into", "status"])
        self.refuse_if_merged()
        if not self.may_be_worked_by(by):
            raise ClaimedByAnother(self.claimed_message())

    @contextmanager
    def worked_by(self, by: User):
        """A change to this lead by `by`: one transaction, the row locked and `by` refused unless
        they may work it (lock_for), and every tracked save inside logged as theirs, whether it
        comes from a request or not (a command, the shell)."""
        with transaction.atomic(), acting_as(by):
            self.lock_for(by)
            yield

    def refuse_if_merged(self) -> None:
        """A merged lead is history: its person is worked on the lead it was merged into."""
        if self.merged_into_id:
            raise WorkflowError(self._merged_message())

    def _merged_message(self) -> str:
        return f"This lead was already merged into {self.merged_into.reference}: work it there."

    def refusal_for(self, user: User) -> str | None:
        """Why `user` may not change this lead now, in words for them; None when they may. Views
        ask before a form is filled; the model's `lock_for` decides under the lock."""
        if self.merged_into_id:
            return self._merged_message()
        if not self.may_be_worked_by(user):
            return f"{self.claimed_message()} Nothing was changed."
        return None

    def audit(self, by: User, what: str, **details) -> None:
        """A named event on this lead's audit page: "L-000012 claimed by avery". `what` and
        `details` name staff, references and ids, never PHI."""
        record_change(None, self, actor=by, label=f"{self.reference} {what}", lead_id=self.pk, **details)

    def claim(self, by: User) -> bool:
        """Take an unassigned lead. Of two workers claiming at once exactly one wins; the
        loser gets False and `self.assigned_to` says who has it."""
        self.refuse_if_merged()
        with transaction.atomic():
            won = (
                type(self)
                .objects.filter(pk=self.pk, assigned_to__isnull=True, merged_into__isnull=True)
                .update(assigned_to=by, assigned_at=timezone.now(), updated_at=timezone.now())
            )
            self.refresh_from_db(fields=["assigned_to", "assigned_at"])
            if won:
                # The conditional UPDATE is invisible to auditlog's field tracking.
                self.audit(by, f"claimed by {by.get_username()}", event="claim", owner=by.get_username())
                LeadEvent.objects.record(self, EventKind.CLAIMED, by=by, at=self.assigned_at)
        return bool(won)

    def assign(self, to: User | None, by: User) -> None:
        """A supervisor hands the lead to someone (or to nobody)."""
        if not is_supervisor(by):
            raise WorkflowError("Only a supervisor can hand a lead to someone.")
        self.refuse_if_merged()
        with transaction.atomic(), acting_as(by):
            self._change_owner(to, by=by, event="assign")

    def release(self, by: User) -> None:
        with self.worked_by(by):
            self._change_owner(None, by=by, event="release")

    def _change_owner(self, to: User | None, *, by: User, event: str) -> None:
        was = self.assigned_to.get_username() if self.assigned_to else None
        previous_owner = self.assigned_to_id
        self.assigned_to = to
        self.assigned_at = timezone.now() if to else None
        self.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        now_with = to.get_username() if to else None
        what = f"assigned to {now_with}" if to else "released"
        self.audit(by, f"{what} by {by.get_username()}", event=event, owner=now_with, previous_owner=was)
        kind = EventKind.ASSIGNED if event == "assign" else EventKind.RELEASED
        owner = to.pk if to else None
        LeadEvent.objects.record(self, kind, by=by, at=self.assigned_at, owner=owner, previous_owner=previous_owner)
