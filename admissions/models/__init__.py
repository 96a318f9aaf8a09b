"""Admissions' models, one module per concern; everything is importable from `admissions.models`."""

from .programme import RESIDENTIAL_LEVELS, Programme

__all__ = ["RESIDENTIAL_LEVELS", "Programme"]
from .review import ClinicalDecision
from .screen import PhoneScreen

__all__ += ["ClinicalDecision", "PhoneScreen"]
