"""Every page that shows a visitor's details to staff leaves an audit entry, whatever asked for it.

The sweep walks every URL of the project (the same walk as the authorization sweep, so a view
added later is covered without touching this file) as staff who pass every check: an admissions
worker and a supervisor, and a superuser on the admin side. Each staff URL is asked with GET,
with an empty POST and with a POST where every staff form field holds nonsense (admin pages with
GET only). Whenever an answer's
body holds a lead's name, phone or member ID, an ACCESS entry for that lead, by that person,
must have been written by that very request.
"""

import inspect

import pytest
from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client
from django.urls import path

import intake.staff_forms
import verification.forms
from config.urls import urlpatterns as project_urlpatterns
from intake.models import Lead

from .conftest import sign_in
from .test_authorization_sweep import protected_urls
from .test_authorization_sweep import world as world  # noqa: F401 - the same records, as a fixture


def _staff_form_fields() -> set[str]:
    fields = set()
    for module in (intake.staff_forms, verification.forms):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                fields |= set(form.base_fields)
    return fields


# Nonsense for every field of every staff form: a status that does not exist, a date that is not
# one, a lead reference nobody has, a user id that is not a number.
NONSENSE = dict.fromkeys(_staff_form_fields(), "bogus")


def phi_of(world) -> dict[int, list[str]]:
    """What would betray each lead on a page: its name and phone as staff pages print them."""
    return {
        world.lead.pk: ["Whitlock", "555-2671"],
        world.verification.lead_id: ["Okonkwo", "555-0173", "LNT100001"],
    }


def access_entries(user, lead_id: int):
    lead_type = ContentType.objects.get_for_model(Lead)
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).filter(
        Q(content_type=lead_type, object_id=lead_id) | Q(additional_data__lead_id=lead_id)
    )


def sweep(world, people: dict, select=lambda route: True) -> tuple[list[str], set[str]]:
    """Ask every non-public URL as each person; list the PHI renders left unaudited, and name
    the routes that showed PHI at all."""
    phi = phi_of(world)
    clients = {name: sign_in(Client(), user) for name, user in people.items()}
    problems, showed_phi = [], set()
    for route, url in protected_urls(world, problems, select):
        for name, user in people.items():
            if route.admin_side != (name == "admin"):
                continue  # the admin for the superuser; the staff pages for the team
            client = clients[name]
            # The admin's delete pages delete on any non-empty POST: the admin is only looked at.
            asks = [("GET", None)] if route.admin_side else [("GET", None), ("POST", {}), ("POST", NONSENSE)]
            for method, data in asks:
                if "_auth_user_id" not in client.session:  # signed out by the last URL
                    sign_in(client, user)
                before = {lead_id: access_entries(user, lead_id).count() for lead_id in phi}
                response = client.get(url) if method == "GET" else client.post(url, data)
                body = response.content.decode(errors="replace")
                for lead_id, words in phi.items():
                    if not any(word in body for word in words):
                        continue
                    showed_phi.add(route.name)
                    if access_entries(user, lead_id).count() <= before[lead_id]:
                        what = "empty" if data == {} else "nonsense" if data else ""
                        problems.append(
                            f"{name} {method} {what} {url} [{route.name}] -> {response.status_code} "
                            f"showed lead {lead_id} and recorded no access"
                        )
    return problems, showed_phi


@pytest.mark.django_db
def test_it_records_an_access_for_every_page_that_shows_phi(world, staff):  # noqa: F811
    people = {"worker": staff["avery"], "supervisor": staff["sam"], "admin": staff["admin"]}

    problems, showed_phi = sweep(world, people)

    assert not problems, "Pages that showed PHI without an audit entry:\n" + "\n".join(problems)
    # The sweep did see PHI: the pages themselves, and the forms re-rendered with their errors.
    assert {
        "staff:lead",
        "staff:log_attempt",
        "staff:add_note",
        "staff:follow_up",
        "staff:merge",
        "staff:assign",
        "verification:workspace",
        "verification:manual",
        "verification:mark_verified",
    } <= showed_phi


@pytest.mark.django_db
def test_it_answers_a_status_nobody_offered_with_a_message_on_the_audited_lead_page(client, staff, world):  # noqa: F811
    lead = world.lead
    client.force_login(staff["avery"])

    response = client.post(f"/staff/leads/{lead.pk}/status/", {"status": "bogus"})

    assert response.status_code == 302 and response["Location"] == f"/staff/leads/{lead.pk}/"
    assert "Whitlock" not in response.content.decode()
    page = client.get(response["Location"])
    assert "Choose a status." in page.content.decode()
    assert access_entries(staff["avery"], lead.pk).count() == 1  # the page, not the refusal
    lead.refresh_from_db()
    assert lead.status == "new"


# --- The sweep catches a view that shows PHI without recording it --------------------------------


def _careless_lead_card(request, lead_id):
    lead = get_object_or_404(Lead, pk=lead_id)
    return HttpResponse(f"<p>{lead.name}</p>")


# This module doubles as a URLconf: the project's URLs plus one a careless change might add.
urlpatterns = [
    *project_urlpatterns,
    path("staff/leads/<int:lead_id>/card/", _careless_lead_card, name="careless_card"),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_it_fails_when_a_new_page_shows_phi_without_recording_it(world, staff):  # noqa: F811
    problems, _ = sweep(world, {"worker": staff["avery"]}, select=lambda route: route.name == "careless_card")

    assert problems and all("careless_card" in problem for problem in problems)
