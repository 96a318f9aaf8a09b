"""Whether a person is covered, in one word: the coverage statuses every eligibility answer uses.

A gateway's summary (`finish`), a phone verification entered by staff (`verification.manual`) and
the stored check (`EligibilityCheck.coverage_status`) all speak these, so a status is spelled once.
The values are what is stored and what templates compare to; they must not change.
"""

from django.db import models


class CoverageStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    # The payer refused the request: it found no such member, or the details it was given do not match.
    REJECTED = "rejected", "Rejected"
    # No answer about coverage: the payer could not answer now, or its answer said nothing about it.
    ERROR = "error", "Error"
