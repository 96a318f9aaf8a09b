"""The lead page's 42 CFR Part 2 panel reads its records here, so the lead view need not."""

from django import template

from ..consent_views import RevocationForm
from ..models import Part2Consent

register = template.Library()


@register.simple_tag
def part2_consents(lead) -> list[Part2Consent]:
    """Every Part 2 consent given on the lead's requests, oldest first."""
    return list(Part2Consent.objects.for_lead(lead))


@register.simple_tag
def revocation_form() -> RevocationForm:
    return RevocationForm(initial={"said_on": RevocationForm.today()})
