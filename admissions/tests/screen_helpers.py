"""Shared by the screen and review tests: a reached lead, and the answers of a full screen."""

from intake.models import Lead, LeadStatus

CALM_ANSWERS = {
    "substances": ["cannabis"],
    "routes": ["smoked"],
    "last_use": "4_7_days",
    "pregnancy": "not_applicable",
    "asq_1": "no",
    "asq_2": "no",
    "asq_3": "no",
    "asq_4": "no",
    "overdose_recent": "no",
    "housing": "stable",
    "legal": "none",
    **{f"dim{n}_rating": "1" for n in range(1, 7)},
}
SEIZURES = {
    **CALM_ANSWERS,
    "substances": ["alcohol"],
    "withdrawal_history": ["seizures"],
    "daily_amount": "a fifth of vodka",
}


def reached_lead(*, assigned_to=None, status=LeadStatus.REACHED, name="Jordan Whitlock", phone="+14155552671") -> Lead:
    return Lead.objects.create(name=name, phone=phone, status=status, assigned_to=assigned_to)


def post_data(answers: dict, action: str = "draft") -> dict:
    return {**answers, "action": action}
