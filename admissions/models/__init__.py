"""Admissions' models, one module per concern; everything is importable from `admissions.models`."""

from .programme import RESIDENTIAL_LEVELS, Programme

__all__ = ["RESIDENTIAL_LEVELS", "Programme"]
from .partners import Match, Partner, PartnerService, match, suggest  # noqa: E402
from .referrals import (  # noqa: E402
    REDISCLOSURE_NOTICE,
    LostReason,
    Referral,
    ReferralChange,
    ReferralConsent,
    ReferralState,
    RefusedShare,
    Share,
)

__all__ += [
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
