"""The lead page's facility and referral-source form, built where the page includes it (the lead
page's view stays as it is)."""

from django import template

from ..lead_facts_views import lead_facts_form

register = template.Library()


@register.inclusion_tag("staff/_lead_facts.html")
def lead_facts_section(lead) -> dict:
    return {"lead": lead, "form": lead_facts_form(lead)}
