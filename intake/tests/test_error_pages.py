"""Error pages that never strand anyone: the phone, the crisis lines and a way on."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from intake.views import server_error


def main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def assert_help_is_offered(html: str) -> None:
    body = main(html)
    assert 'href="tel:+18005550142"' in body and "(800) 555-0142" in body
    assert 'href="tel:911"' in body and 'href="tel:988"' in body and 'href="tel:+18006624357"' in body
    assert 'href="/"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/artciles/", "/callback/oops/", "/articles/no-such-article/"])
def test_it_shows_a_mistyped_link_the_way_on_instead_of_a_bare_not_found(client, path):
    response = client.get(path)
    html = response.content.decode()

    assert response.status_code == 404
    assert "We can't find that page" in html
    assert_help_is_offered(html)
    body = main(html)
    assert 'href="/articles/"' in body and 'href="/callback/"' in body and 'href="/verify/"' in body
    assert 'class="site-header"' in html  # the site's own design, not Django's page


@pytest.mark.django_db
def test_it_tells_a_signed_in_user_without_a_role_whom_to_ask_in_the_staff_shell(client):
    client.force_login(
        User.objects.create_user("new-hire", password="a long enough passphrase", first_name="Noor", last_name="Haddad")
    )

    response = client.get("/staff/")
    html = response.content.decode()

    assert response.status_code == 403
    assert '<body class="staff">' in html
    assert "signed in as <strong>Noor Haddad</strong>" in html and "no admissions role" in html
    assert "ask an administrator" in html.lower()
    assert 'action="/staff/logout/"' in main(html) and "Sign out" in main(html)


@pytest.mark.django_db
def test_it_does_not_tell_an_admissions_worker_they_have_no_role_when_a_page_needs_another(client, staff):
    client.force_login(staff["avery"])

    response = client.get("/staff/metrics/")
    html = response.content.decode()

    assert response.status_code == 403
    assert "no admissions role" not in html
    assert "needs a role your account" in html and 'href="/staff/"' in main(html)


def test_it_shows_the_server_error_page_with_help_even_when_the_database_is_down():
    # No database access is allowed in this test: any query would raise.
    response = server_error(RequestFactory().get("/callback/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "something went wrong on our side" in html
    assert_help_is_offered(html)
