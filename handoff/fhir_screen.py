"""The phone screen in the bundle: the latest completed screen as a QuestionnaireResponse, section
by section, each answer under its question's words and its field name as linkId (the names
admissions.screen_forms.ScreenForm keeps the answers under)."""

from admissions.screen_forms import ScreenForm
from intake.models import staff_name

from .terms import Entries, ref


def _answers(bound, value) -> list[dict]:
    labels = dict(getattr(bound.field, "choices", []) or [])
    if value is True:
        return [{"valueBoolean": True}]
    if isinstance(value, list):
        return [{"valueString": str(labels.get(one, one))} for one in value]
    if bound.name.endswith("_rating") and str(value).isdigit():
        return [{"valueInteger": int(value)}]
    return [{"valueString": str(labels.get(value, value))}]


def screen_items(answers: dict) -> list[dict]:
    groups = []
    for number, (title, fields) in enumerate(ScreenForm().sections(), start=1):
        items = []
        for bound in fields:
            value = answers.get(bound.name)
            if value in (None, "", [], False):
                continue
            items.append({"linkId": bound.name, "text": str(bound.label), "answer": _answers(bound, value)})
        if items:
            groups.append({"linkId": f"section-{number}", "text": title, "item": items})
    return groups


def screen_response(entries: Entries, record, patient_url: str) -> str | None:
    screen = record.screen
    if screen is None:
        return None
    items = screen_items(screen.answers)
    if screen.information_added:
        items.append(
            {
                "linkId": "information_added",
                "text": "Information added after the clinician asked for more",
                "answer": [{"valueString": screen.information_added}],
            }
        )
    resource = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": ref(patient_url),
        "authored": (screen.completed_at or screen.updated_at).isoformat(),
    }
    if screen.completed_by:
        resource["author"] = {"display": staff_name(screen.completed_by)}
    if items:
        resource["item"] = items
    return entries.add(resource, f"PS-{screen.pk}")
