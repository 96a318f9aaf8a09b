"""Admissions' models, one module per concern; everything is importable from `admissions.models`."""

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
from .review import ClinicalDecision
from .screen import PhoneScreen

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
]
