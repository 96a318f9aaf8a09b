"""Shared by the intake tests: a callback received through the front door, as the view does it."""

from intake.front_door import Submission
from intake.models import Lead


def receive_callback(
    data: dict, *, consent_version: str = "callback-2026-11-21", consent_page: str = "/callback/", attribution=None
) -> Lead:
    submission = Submission.from_callback(
        data, consent_version=consent_version, consent_page=consent_page, attribution=attribution or {}
    )
    lead, _ = Lead.objects.receive(submission)
    return lead
