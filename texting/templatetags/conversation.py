"""The conversation panel, built where the lead page includes it (intake's lead view knows nothing
of texts, and LeadPart.page_context has no request): each render audited and the texts marked read
for the person looking, in texting.staff_views."""

from django import template

from ..staff_views import panel_context

register = template.Library()


@register.inclusion_tag("texting/_conversation.html", takes_context=True)
def conversation_panel(context, lead, form=None) -> dict:
    return panel_context(context["request"], lead, form)
