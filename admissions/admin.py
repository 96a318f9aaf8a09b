"""Admissions in /admin/: each area's admin in its own module, imported here so Django finds it."""

from . import partner_admin  # noqa: F401
