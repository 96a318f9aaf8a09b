"""Finding a Medicare beneficiary's MBI when they had no card at hand.

Two places ask: an eligibility check of a Medicare plan without a member id looks the MBI up
first (from name, date of birth and state: nobody gives an SSN on a web form), and staff on the
benefits workspace, with the SSN when the person gives it on a call. Either way the lookup is a
disclosure to Medicare, allowed only by the consent naming it, and written to the accounting.
The MBI found is saved on the request and flagged as looked up; the SSN is used for the one
request and kept nowhere (see `eligibility.mbi`).
"""

import logging
from dataclasses import dataclass

from config.crash import crash_report
from intake.models import DisclosureRefused

from . import disclosures, eligibility
from .eligibility import CheckResult, CoverageStatus, EligibilityError, EligibilityRequest, Rejection
from .eligibility.mbi import found_mbi
from .insurances import Which

log = logging.getLogger(__name__)

NOT_FOUND = (
    "Medicare could not find this person from name, date of birth and state: "
    "ask for the card or the SSN and look it up on the workspace"
)
NOT_FOUND_BY_STATE = (
    "Medicare could not find this person from name, date of birth and state: "
    "ask for their Medicare card, or for their SSN and look again"
)
NOT_FOUND_WITH_SSN = (
    "Medicare could not find this person from name, date of birth and SSN: check them with the person, "
    "or ask for their Medicare card"
)


@dataclass
class Lookup:
    mbi: str
    result: CheckResult

    def not_found_summary(self):
        """Medicare's answer as a check's answer: rejected, in words saying what to do next."""
        summary = self.result.summary
        payers = summary.rejections or [rejection for sub in summary.subscribers for rejection in sub.rejections]
        said = payers[0] if payers else Rejection(loop="2100C")
        summary.status = CoverageStatus.REJECTED
        summary.rejections = [
            Rejection(
                loop=said.loop,
                code=said.code,
                follow_up=said.follow_up,
                description=said.description,
                follow_up_description=said.follow_up_description,
                text=NOT_FOUND,
                valid_request=said.valid_request,
            )
        ]
        return summary


def needed(check) -> bool:
    """A check of the first plan (the one the visitor's form holds), Medicare, with no MBI."""
    verification = check.verification
    payer = verification.payer
    return check.insurance == Which.FIRST and payer is not None and payer.is_medicare and not verification.member_id


def look_up(verification, person: EligibilityRequest, *, gateway: str, reference: str, ssn: str = "") -> Lookup:
    """Ask `gateway` for the MBI of `person` (a request built for `verification`), by SSN when
    one is given, else by the state on the request. The MBI found is saved on `verification`.
    Raises DisclosureRefused when the consent does not name Medicare, and the gateway's errors."""
    if refusal := verification.disclosure_refusal(gateway=gateway):
        raise DisclosureRefused(refusal)
    person.trace_number = reference
    listed = False
    try:
        result = eligibility.get_gateway(gateway).lookup_mbi(person, ssn=ssn, state=verification.state)
        disclosures.record_lookup(verification, gateway=gateway, reference=reference, with_ssn=bool(ssn))
        listed = True
    except (EligibilityError, eligibility.TransientEligibilityError) as error:
        if error.sent:
            disclosures.record_lookup(verification, gateway=gateway, reference=reference, with_ssn=bool(ssn))
        raise
    except Exception:
        if not listed:  # where it broke is unknown: listed, since a missing line cannot be found later
            disclosures.record_lookup(verification, gateway=gateway, reference=reference, with_ssn=bool(ssn))
        raise
    mbi = found_mbi(result.summary)
    if mbi:
        verification.member_id = mbi
        verification.member_id_looked_up = True
        verification.save(update_fields=["member_id", "member_id_looked_up", "updated_at"])
    return Lookup(mbi=mbi, result=result)


def before_check(check, person: EligibilityRequest) -> bool:
    """Look the MBI up for `check` before it asks Medicare. True when the check can go on with the
    MBI; False when Medicare found nobody, and the check's answer then says so."""
    verification = check.verification
    # Another check of the round may have found it meanwhile: one lookup is enough.
    verification.refresh_from_db(fields=["member_id", "member_id_looked_up"])
    if verification.member_id:
        return True
    try:
        lookup = look_up(verification, person, gateway=check.gateway, reference=person.trace_number)
    except (EligibilityError, eligibility.TransientEligibilityError, DisclosureRefused):
        raise
    except Exception as exc:
        # Type, place and check id only, as for the check itself: the message can quote the person.
        log.error("MBI lookup for eligibility check %s crashed: %s", check.pk, crash_report(exc))
        raise
    if lookup.mbi:
        return True
    check.record(lookup.not_found_summary(), raw=lookup.result.raw)
    return False
