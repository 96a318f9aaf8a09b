"""Admissions' models, one module per concern; everything is importable from `admissions.models`."""

from .beds import Admission, ProgrammeFull, schedule_admission, taken_places
from .estimates import EstimateEmail, GoodFaithEstimate, SelfPayReason
from .partners import Match, Partner, PartnerService, match, suggest
from .programme import RESIDENTIAL_LEVELS, Programme
from .referrals import (
    REDISCLOSURE_NOTICE,
    LostReason,
    Referral,
    ReferralChange,
    ReferralConsent,
    ReferralState,
    RefusedShare,
    Share,
)
from .reminders import VisitorReminder
from .review import ClinicalDecision
from .screen import PhoneScreen
from .waitlist import WaitlistEntry

__all__ = [
    "RESIDENTIAL_LEVELS",
    "Programme",
    "ClinicalDecision",
    "PhoneScreen",
    "EstimateEmail",
    "GoodFaithEstimate",
    "SelfPayReason",
    "Match",
    "Partner",
    "PartnerService",
    "match",
    "suggest",
    "REDISCLOSURE_NOTICE",
    "LostReason",
    "Referral",
    "ReferralChange",
    "ReferralConsent",
    "ReferralState",
    "RefusedShare",
    "Share",
    "Admission",
    "ProgrammeFull",
    "VisitorReminder",
    "WaitlistEntry",
    "schedule_admission",
    "taken_places",
]
