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
    LevelOfCare,
    NotAFitReason,
    WorkflowError,
)
from .events import EventKind, LeadEvent
from .lead import Lead
from .merge import LeadMerge
from .notification import Notification, NotificationQuerySet
from .outcomes import OutcomeFacts, OutcomeRefused
from .part2 import ConsentRevocation, Disclosure, DisclosureRefused, Part2Consent, disclosure_refusal
from .queries import LeadQuerySet
from .records import ContactAttempt, LeadNote, LeadRequest
from .second_factor import AuthenticatorApp, RecoveryCode, RecoveryCodes, recovery_codes_left, reset_second_factor
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
    staff_name,
    supervisors,
    team_at_work,
)
from .timeline import TimelineEntry, timeline_of

__all__ = [
    "EventKind",
    "LeadEvent",
    "NotAFitReason",
    "OutcomeFacts",
    "OutcomeRefused",
    "TimelineEntry",
    "timeline_of",
    "LevelOfCare",
    "staff_name",
    "ADMISSIONS_GROUP",
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "RecoveryCode",
    "RecoveryCodes",
    "ROSTER_FIELDS",
    "SUPERVISOR_GROUP",
    "TRANSITIONS",
    "AttemptOutcome",
    "AuthenticatorApp",
    "BestTime",
    "Channel",
    "ConsentRevocation",
    "ClaimedByAnother",
    "ContactAttempt",
    "Disclosure",
    "DisclosureRefused",
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
    "Part2Consent",
    "StaffProfile",
    "WorkflowError",
    "disclosure_refusal",
    "ensure_staff_groups",
    "is_admissions",
    "is_supervisor",
    "may_edit_roster_of",
    "on_call_staff",
    "on_duty_admissions",
    "on_shift_admissions",
    "recovery_codes_left",
    "reset_second_factor",
    "someone_on_hand_for_danger",
    "supervisors",
    "team_at_work",
]
