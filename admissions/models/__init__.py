"""Admissions' models, one module per concern; everything is importable from `admissions.models`."""

from .programme import RESIDENTIAL_LEVELS, Programme

__all__ = ["RESIDENTIAL_LEVELS", "Programme"]
from .estimates import EstimateEmail, GoodFaithEstimate, SelfPayReason  # noqa: E402

__all__ += ["EstimateEmail", "GoodFaithEstimate", "SelfPayReason"]
