"""The roster names people as their colleagues know them: "Avery Lee", not "avery" (the username
only for an account without a name)."""

import re

import pytest


@pytest.fixture
def named(staff):
    for username, first, last in [("avery", "Avery", "Lee"), ("casey", "Casey", "Abara"), ("sam", "Sam", "Ortiz")]:
        user = staff[username]
        user.first_name, user.last_name = first, last
        user.save()
    return staff


@pytest.mark.django_db
def test_it_lists_the_roster_by_full_name_in_order(client, named):
    client.force_login(named["sam"])

    html = client.get("/staff/roster/").content.decode()

    people = re.findall(r'<th scope="row">(.*?)</th>', html)
    assert people == ["Avery Lee", "blake", "Casey Abara", "Sam Ortiz"]  # blake has no name on file
    assert 'Edit<span class="visually-hidden"> Avery Lee</span>' in html


@pytest.mark.django_db
def test_it_names_the_person_whose_roster_is_edited(client, named):
    client.force_login(named["sam"])
    url = f"/staff/roster/{named['avery'].pk}/"

    page = client.get(url).content.decode()
    saved = client.post(url, {"on_duty": "on", "notify_by_email": "on"}, follow=True).content.decode()

    assert "<title>Roster: Avery Lee |" in page and "Avery Lee: duty and alerts</h1>" in page
    assert "Saved Avery Lee&#x27;s roster and alerts." in saved
