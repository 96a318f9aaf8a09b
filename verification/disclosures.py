"""Who an insurance check discloses to, and its line in the lead's accounting of disclosures.

A verification request tells the payer (and the clearinghouse that carries it) that this person is
asking the centre about substance use treatment: the service types it asks about say so. Each
request that leaves is written to the lead's `disclosures`, once per send.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext

from intake.models import Disclosure, Part2Consent

from .eligibility import DEFAULT_SERVICE_TYPES

PURPOSE = "Insurance eligibility and benefits check, at the patient's request"
SUD_SERVICE_TYPES = ("AI", "AJ", "AK")


def leaves_lantern(gateway: str) -> bool:
    """The sandbox payer answers inside Lantern; every other gateway sends the request out."""
    return (gateway or "sandbox").strip().lower() != "sandbox"


def recipients(payer_name: str, *, electronic: bool, gateway: str | None = None) -> list[str]:
    """The payer, and the clearinghouse that carries electronic requests to it when one is configured."""
    gateway = settings.ELIGIBILITY_GATEWAY if gateway is None else gateway
    names = [payer_name]
    if electronic and leaves_lantern(gateway) and settings.ELIGIBILITY_CLEARINGHOUSE_NAME:
        names.append(settings.ELIGIBILITY_CLEARINGHOUSE_NAME)
    return names


def clearinghouse_clause() -> str:
    """How the empty form names the recipients, before the visitor has chosen an insurer."""
    names = recipients(gettext("the insurance company chosen above"), electronic=True)
    if len(names) == 1:
        return names[0]
    return gettext("%(payer)s, and %(clearinghouse)s, the company that carries electronic requests to insurers") % {
        "payer": names[0],
        "clearinghouse": names[1],
    }


def what_was_sent(verification, *, electronic: bool = True) -> str:
    """The categories a request carries, never their values."""
    items = ["patient's name and date of birth", "member ID"]
    if verification.group_number:
        items.append("group number")
    if verification.relationship != "self":
        items.append("policy holder's name and date of birth")
    items.append(f"{settings.CENTRE_NAME}'s name and NPI")
    if not electronic:
        return f"{'; '.join(items)}; questions about benefits for substance use treatment"
    asked = ", ".join(DEFAULT_SERVICE_TYPES)
    sud = ", ".join(SUD_SERVICE_TYPES)
    return f"{'; '.join(items)}; benefit questions for service types {asked} ({sud}: substance use treatment)"


def _consent_of(verification) -> Part2Consent | None:
    return Part2Consent.objects.filter(lead_request_id=verification.lead_request_id).first()


def record_send(check, *, error: BaseException | None = None) -> Disclosure | None:
    """Write the accounting line for one eligibility request, unless it failed before it left."""
    if error is not None and not getattr(error, "sent", True):
        return None
    verification = check.verification
    return Disclosure.objects.record(
        verification.lead_id,
        consent=_consent_of(verification),
        recipients=recipients(verification.payer_name, electronic=True, gateway=check.gateway),
        what=what_was_sent(verification),
        purpose=PURPOSE,
        channel=f"Eligibility request ({check.gateway} gateway)",
        reference=f"LNT{check.pk:09d}",
        simulated=not leaves_lantern(check.gateway),
    )


def record_lookup(verification, *, gateway: str, reference: str, with_ssn: bool) -> Disclosure:
    """An MBI lookup told Medicare (and the clearinghouse) who the person is, under the consent
    naming Medicare, the payer of the request."""
    sent = ["name", "date of birth", *(["state"] if verification.state else []), *(["SSN"] if with_ssn else [])]
    return Disclosure.objects.record(
        verification.lead_id,
        consent=_consent_of(verification),
        recipients=recipients(verification.payer_name, electronic=True, gateway=gateway),
        what=f"MBI lookup: {', '.join(sent)}",
        purpose=PURPOSE,
        channel=f"MBI lookup ({gateway} gateway)",
        reference=reference,
        simulated=not leaves_lantern(gateway),
    )


def record_phone_call(verification, *, by: User) -> Disclosure:
    """Staff called the payer themselves and entered what it said: that call disclosed too."""
    return Disclosure.objects.record(
        verification.lead_id,
        consent=_consent_of(verification),
        recipients=[verification.payer_name],
        what=what_was_sent(verification, electronic=False),
        purpose=PURPOSE,
        channel=f"Phone call to the payer by {by.get_username()}",
    )
