"""X-Forwarded-Proto is believed only from a trusted proxy: a client that reaches the app
directly cannot claim HTTPS and skip the redirect to it."""

import pytest


@pytest.fixture
def https_behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


def test_a_direct_client_that_claims_https_is_sent_to_https(client, https_behind_proxy):
    response = client.get("/privacy/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db  # the page shows the centre's name, read from its profile
def test_the_trusted_proxy_is_believed_when_it_says_https(client, https_behind_proxy):
    response = client.get("/privacy/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 200
