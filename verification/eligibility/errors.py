"""What can go wrong in an eligibility check, split by what the caller should do about it.

Messages are one line and never carry PHI (names, member IDs, dates of birth): they end up in
logs and on task records. A payer's rejection of the visitor's details (AAA 72, 73, 75, ...) is
not an error at all: it is a summary with status "rejected".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .summary import BenefitSummary


class EligibilityError(Exception):
    """The check cannot succeed as configured or answered: bad settings, a malformed answer.
    Trying again will not help; a person has to look. `raw` holds the answer, if there was one."""

    raw: str = ""
    # False when the request never left Lantern (a setting missing, an address nobody answers
    # at): the accounting of disclosures lists the requests that went out, or may have.
    sent: bool = True


# Deliberately not a subclass of EligibilityError: an `except EligibilityError` that marks a check
# as failed must never swallow an error that should have been retried.
class TransientEligibilityError(Exception):
    """The payer or clearinghouse cannot answer now (AAA 42, timeout, HTTP 5xx): try again later.

    `summary` and `raw` hold what the payer did answer, when it answered at all.
    """

    sent: bool = True

    def __init__(self, message: str, *, summary: BenefitSummary | None = None, raw: str = ""):
        super().__init__(message)
        self.summary = summary
        self.raw = raw


def never_sent[E: (EligibilityError, TransientEligibilityError)](error: E) -> E:
    """Mark an error raised before the request left Lantern: no disclosure happened."""
    error.sent = False
    return error


class X12Error(EligibilityError):
    """An X12 interchange too broken to read: truncated ISA, wrong SE count, missing trailer."""
