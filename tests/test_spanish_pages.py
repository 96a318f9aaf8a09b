"""Every public page answers in Spanish under /es/ (issue 20): a 200 (or the error page's own status),
`<html lang="es">`, Spanish words on it, and a way back to English. The sweep walks the URL tree: a
public page added later without a Spanish case here fails `test_it_knows_every_public_page`."""

import datetime as dt
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import timezone, translation

from articles.models import Article, Category, MedicalReviewer
from config.language import UNTRANSLATED_PATHS
from intake.views import THANKS_COOKIE, remember_outcome, thanks_outcome
from verification.views import THANKS_COOKIE as VERIFY_THANKS_COOKIE

pytestmark = pytest.mark.django_db

# Words any Spanish page of ours has and no English one does: the frame's own links.
SPANISH_FRAME = ("Pedir una llamada", "Verificar su seguro", "Política de privacidad")


def public_names() -> set[str]:
    """Every named page inside i18n_patterns, but for the staff pages that ride along with their app."""
    names = set()

    def walk(patterns, namespace: str, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route)
            elif isinstance(pattern, URLPattern) and pattern.name and not ("/" + route).startswith(UNTRANSLATED_PATHS):
                names.add(namespace + pattern.name)

    for top in get_resolver().url_patterns:
        if isinstance(top, URLResolver) and isinstance(top.pattern, LocalePrefixPattern):
            walk(top.url_patterns, "", "")
    return names


@pytest.fixture
def spanish_article(staff):
    reviewer = MedicalReviewer.objects.create(name="Samira Okafor", credentials="MD", user=staff["sam"])
    category = Category.objects.create(
        name="Withdrawal", slug="withdrawal", name_es="Abstinencia", slug_es="abstinencia"
    )
    article = Article.objects.create(
        language="es",
        title="La abstinencia del alcohol",
        slug="abstinencia-del-alcohol",
        summary="Qué esperar al dejar el alcohol y cuándo buscar atención médica.",
        body="Dejar el alcohol después de beber mucho puede ser peligroso.\n\n## Síntomas\n\nTemblores y sudor.",
        category=category,
        reviewer=reviewer,
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )
    article.approve(by=reviewer.user)
    article.publish()
    return article


def spanish(name: str, **kwargs) -> str:
    with translation.override("es"):
        return reverse(name, kwargs=kwargs or None)


def thanks_client(cookie: str, outcome: dict) -> Client:
    """A visitor who has just sent a form: the thank-you page reads the outcome from a signed cookie."""
    client = Client()
    client.cookies[cookie] = remember_outcome(HttpResponse(), cookie, outcome).cookies[cookie].value
    return client


def pages(article) -> dict[str, tuple[str, Client]]:
    outcome = thanks_outcome("R-000042", urgent=False, best_time="asap")
    return {
        "home": (spanish("home"), Client()),
        "programmes": (spanish("programmes"), Client()),
        "language_assistance": (spanish("language_assistance"), Client()),
        "callback": (spanish("callback"), Client()),
        "callback_thanks": (spanish("callback_thanks"), thanks_client(THANKS_COOKIE, outcome)),
        "verification:verify": (spanish("verification:verify"), Client()),
        "verification:thanks": (
            spanish("verification:thanks"),
            thanks_client(VERIFY_THANKS_COOKIE, {**outcome, "by_phone": False}),
        ),
        "privacy": (spanish("privacy"), Client()),
        "part2_notice": (spanish("part2_notice"), Client()),
        "terms": (spanish("terms"), Client()),
        "articles:list": (spanish("articles:list") + "?q=alcohol", Client()),
        "articles:category": (article.category.url_in("es"), Client()),
        "articles:detail": (article.get_absolute_url(), Client()),
        "articles:feed": (spanish("articles:feed"), Client()),
    }


def test_it_knows_every_public_page(spanish_article):
    assert public_names() == set(pages(spanish_article))


def test_it_answers_every_public_page_in_spanish(spanish_article):
    for name, (url, client) in pages(spanish_article).items():
        assert url.startswith("/es/"), name
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        body = response.content.decode()
        if name == "articles:feed":
            assert "<language>es</language>" in body, name
            continue
        assert re.search(r'<html lang="es"', body), name
        assert all(words in body for words in SPANISH_FRAME), name
        # The way back: the same page in English, in the language switch and the alternates.
        assert 'hreflang="en"' in body, name


def test_it_answers_a_missing_spanish_page_in_spanish():
    response = Client().get("/es/no-existe/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="es"' in body and "Pedir una llamada" in body


def test_it_keeps_the_staff_side_out_of_spanish_addresses(staff):
    for path in ("/es/staff/", "/es/admin/", "/es/healthz", "/es/sms/inbound/"):
        assert Client().get(path).status_code == 404, path


def test_it_never_redirects_by_the_browser_language():
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")
