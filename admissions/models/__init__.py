"""Admissions' models, one module per concern; everything is importable from `admissions.models`."""

from .beds import Admission, ProgrammeFull, schedule_admission, taken_places
from .programme import RESIDENTIAL_LEVELS, Programme
from .reminders import VisitorReminder
from .waitlist import WaitlistEntry

__all__ = [
    "RESIDENTIAL_LEVELS",
    "Admission",
    "Programme",
    "ProgrammeFull",
    "VisitorReminder",
    "WaitlistEntry",
    "schedule_admission",
    "taken_places",
]
