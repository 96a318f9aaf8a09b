"""Intake's models, one module per concern; everything is importable from `intake.models`."""

from .choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    AttemptOutcome,
    BestTime,
    Channel,
    ClaimedByAnother,
    ForWhom,
    LeadKind,
    LeadStatus,
    WorkflowError,
)
from .lead import Lead
from .merge import LeadMerge
from .notification import Notification, NotificationQuerySet, enqueue_all, publish
from .queries import LeadQuerySet
from .records import ContactAttempt, LeadNote, LeadRequest
from .staff import (
    ADMISSIONS_GROUP,
    ROSTER_FIELDS,
    SUPERVISOR_GROUP,
    StaffProfile,
    ensure_staff_groups,
    is_admissions,
    is_supervisor,
    may_edit_roster_of,
    on_call_staff,
    on_duty_admissions,
    on_shift_admissions,
    someone_on_hand_for_danger,
    supervisors,
    team_at_work,
)

__all__ = [
    "ADMISSIONS_GROUP",
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "ROSTER_FIELDS",
    "SUPERVISOR_GROUP",
    "TRANSITIONS",
    "AttemptOutcome",
    "BestTime",
    "Channel",
    "ClaimedByAnother",
    "ContactAttempt",
    "ForWhom",
    "Lead",
    "LeadKind",
    "LeadMerge",
    "LeadNote",
    "LeadQuerySet",
    "LeadRequest",
    "LeadStatus",
    "Notification",
    "NotificationQuerySet",
    "StaffProfile",
    "WorkflowError",
    "ensure_staff_groups",
    "enqueue_all",
    "is_admissions",
    "is_supervisor",
    "may_edit_roster_of",
    "on_call_staff",
    "on_duty_admissions",
    "on_shift_admissions",
    "publish",
    "someone_on_hand_for_danger",
    "supervisors",
    "team_at_work",
]
