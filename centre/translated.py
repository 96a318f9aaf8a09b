"""Admin-entered text in the visitor's language: a Spanish column beside each English one
(`treats_es` beside `treats`), blank until someone writes it, and the English shown meanwhile, so
a Spanish page is never emptier than the English one."""

from django.conf import settings
from django.utils.translation import get_language


class Translated:
    """For a model with `<field>_<language>` columns; `translated_fields` names the English ones."""

    translated_fields: tuple[str, ...] = ()

    def translated(self, field: str) -> str:
        language = get_language() or settings.LANGUAGE_CODE
        if language != settings.LANGUAGE_CODE:
            value = getattr(self, f"{field}_{language}", "")
            if value and value.strip():
                return value
        return getattr(self, field)

    @property
    def local(self) -> "Localized":
        """The object as the page's language reads it: `programme.local.title` in a template."""
        return Localized(self)


class Localized:
    """A read-only view of a Translated object: its translated fields in the active language, and
    its properties (`reasons`, `title`) worked out from those, so no template picks a column."""

    def __init__(self, obj: Translated):
        self._obj = obj

    def __getattr__(self, name: str):
        obj = self._obj
        if name in obj.translated_fields:
            return obj.translated(name)
        attribute = getattr(type(obj), name, None)
        if isinstance(attribute, property):
            return attribute.fget(self)
        return getattr(obj, name)
