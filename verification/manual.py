"""A phone verification, entered by staff, turned into the same BenefitSummary a payer sends,
so the workspace, the history and the audit log treat both alike."""

from decimal import Decimal

from django.utils import timezone

from intake.models.staff import staff_name

from .eligibility.coverage import CoverageStatus
from .eligibility.summary import BenefitSummary, CareLevel, Money, NetworkTerms, Rejection, SubscriberSummary


def summary_from_manual_entry(verification, data: dict, *, by, plan=None) -> BenefitSummary:
    """What the payer of `plan` (the request's first plan by default) said on the call."""
    called = plan or verification.plan()
    status = CoverageStatus(data["coverage_status"])
    rejections = []
    if status == CoverageStatus.REJECTED:
        rejections.append(
            Rejection(
                loop="phone",
                code="75",
                text="The payer's representative could not find this member.",
                hint="Ask the visitor to read the member ID and the name exactly as printed on the card.",
            )
        )
    coinsurance = data.get("coinsurance_percent")
    plan = CareLevel(
        level="plan",
        label="Plan level",
        covered={CoverageStatus.ACTIVE: True, CoverageStatus.INACTIVE: False}.get(status),
        prior_auth={"Y": True, "N": False}.get(data.get("prior_auth") or ""),
        in_network=NetworkTerms(
            deductible_individual=Money(total=data.get("deductible_total"), remaining=data.get("deductible_remaining")),
            out_of_pocket_individual=Money(total=data.get("oop_total"), remaining=data.get("oop_remaining")),
            coinsurance=(coinsurance / Decimal(100)) if coinsurance is not None else None,
        ),
        sources={"all": f"phone call ({data['payer_rep']})"},
    )
    not_stated = []
    if data.get("prior_auth") in (None, ""):
        not_stated.append("Prior authorization was not discussed on the call.")
    subscriber = SubscriberSummary(
        status=status,
        member_id=called.member_id,
        first_name=verification.first_name,
        last_name=verification.last_name,
        date_of_birth=verification.date_of_birth,
        plan_name=data.get("plan_name") or "",
        group_number=called.group_number,
        rejections=rejections,
        levels={"plan": plan},
        not_stated=not_stated,
    )
    return BenefitSummary(
        status=status,
        payer_id=called.payer.payer_id if called.payer else "",
        payer_name=called.payer_name,
        subscribers=[subscriber],
        rejections=rejections,
        not_stated=[*not_stated, f"Entered by {staff_name(by)} from a phone call: {data['payer_rep']}."]
        + ([f"Notes: {data['notes']}"] if data.get("notes") else []),
        gateway="phone",
        checked_at=timezone.now(),
    )
