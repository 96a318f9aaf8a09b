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
from .eligibility.codes import describe
from .eligibility.service_types import SERVICE_TYPES

PURPOSE = "Insurance eligibility and benefits check, at the patient's request"
SUD_SERVICE_TYPES = ("AI", "AJ", "AK")


def leaves_lantern(gateway: str) -> bool:
    """The sandbox payer answers inside Lantern; every other gateway sends the request out."""
    return (gateway or "sandbox").strip().lower() != "sandbox"


def recipients(payer_name: str | list[str], *, electronic: bool, gateway: str | None = None) -> list[str]:
    """The payer (or each payer of a person with two plans), and the clearinghouse that carries
    electronic requests to them when one is configured."""
    gateway = settings.ELIGIBILITY_GATEWAY if gateway is None else gateway
    names = list(dict.fromkeys([payer_name] if isinstance(payer_name, str) else payer_name))
    if electronic and leaves_lantern(gateway) and settings.ELIGIBILITY_CLEARINGHOUSE_NAME:
        names.append(settings.ELIGIBILITY_CLEARINGHOUSE_NAME)
    return names


def plans_recipients(verification, *, gateway: str | None = None) -> list[str]:
    """Everyone a check of any of the request's plans would reach: each plan's payer, and the
    clearinghouse when one of them is checked electronically. The consent names them all, so a
    check of either plan is one it allows."""
    plans = verification.plans()
    electronic = any(plan.electronic for plan in plans)
    return recipients([plan.payer_name for plan in plans], electronic=electronic, gateway=gateway)


def clearinghouse_clause() -> str:
    """How the empty form names the recipients, before the visitor has chosen an insurer (or two)."""
    names = recipients(gettext("the insurance company or companies chosen above"), electronic=True)
    if len(names) == 1:
        return names[0]
    return gettext("%(payer)s, and %(clearinghouse)s, the company that carries electronic requests to insurers") % {
        "payer": names[0],
        "clearinghouse": names[1],
    }


def what_was_sent(plan, *, electronic: bool = True, service_types: list[str] | None = None) -> str:
    """The categories a request about one plan (`insurances.Plan`, or a verification for its first
    plan) carries, never their values: for an electronic request, the service types it asked about
    (`service_types`, all of DEFAULT_SERVICE_TYPES by default), since they are what tells the payer
    the person asks about substance use treatment."""
    items = ["patient's name and date of birth", "member ID"]
    if plan.group_number:
        items.append("group number")
    if plan.relationship != "self":
        items.append("policy holder's name and date of birth")
    items.append(f"{settings.CENTRE_NAME}'s name and NPI")
    if not electronic:
        return f"{'; '.join(items)}; questions about benefits for substance use treatment"
    types = list(service_types or DEFAULT_SERVICE_TYPES)
    if len(types) == 1:
        # One request of a fan-out (one per service type): its line names that type in words.
        questions = f"benefit questions for service type {types[0]} ({describe(SERVICE_TYPES, types[0])})"
    else:
        questions = f"benefit questions for service types {', '.join(types)}"
        if sud := [code for code in types if code in SUD_SERVICE_TYPES]:
            questions += f" ({', '.join(sud)}: substance use treatment)"
    return f"{'; '.join(items)}; {questions}"


def _consent_of(verification) -> Part2Consent | None:
    return Part2Consent.objects.filter(lead_request_id=verification.lead_request_id).first()


def record_send(check, *, error: BaseException | None = None) -> Disclosure | None:
    """Write the accounting line for one eligibility request, unless it failed before it left."""
    if error is not None and not getattr(error, "sent", True):
        return None
    verification = check.verification
    plan = check.plan  # the second insurance's payer for a check of the second plan
    return Disclosure.objects.record(
        verification.lead_id,
        consent=_consent_of(verification),
        recipients=recipients(plan.payer_name, electronic=True, gateway=check.gateway),
        what=what_was_sent(plan, service_types=check.asked_service_types),
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


def record_phone_call(verification, *, by: User, plan=None) -> Disclosure:
    """Staff called the payer (of `plan`, the first by default) themselves and entered what it
    said: that call disclosed too."""
    plan = plan or verification.plan()
    return Disclosure.objects.record(
        verification.lead_id,
        consent=_consent_of(verification),
        recipients=[plan.payer_name],
        what=what_was_sent(plan, electronic=False),
        purpose=PURPOSE,
        channel=f"Phone call to the payer by {by.get_username()}",
    )
