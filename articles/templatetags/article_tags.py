import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.cache import CSRF_PLACEHOLDER

register = template.Library()


@register.simple_tag
def csrf_hole() -> str:
    """A CSRF field whose token is filled in per response (see articles.cache)."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', CSRF_PLACEHOLDER)


@register.filter
def ld_json(data) -> str:
    """JSON for a <script type="application/ld+json"> block, safe against </script> in values."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 - escaped above
