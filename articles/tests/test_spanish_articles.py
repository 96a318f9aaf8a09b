"""Articles in Spanish: each language's pages list and show its own articles, twins link both ways,
search stems Spanish, and the feed, sitemap and page cache keep the languages apart."""

import pytest
from django.core.cache import cache
from django.test import Client

from articles.models import Article, Category, PublishingRefused

from .test_articles import make_article


@pytest.fixture
def pair(withdrawal, reviewer):
    """An English article and its published Spanish translation."""
    withdrawal.name_es, withdrawal.slug_es = "Abstinencia", "abstinencia"
    withdrawal.save()
    english = make_article(withdrawal, reviewer, 1, title="Alcohol withdrawal", slug="alcohol-withdrawal")
    spanish = make_article(
        withdrawal, reviewer, 2, title="La abstinencia de alcohol", slug="abstinencia-de-alcohol", language="es",
        translation_of=english, body="## Síntomas\n\nLas adicciones y la abstinencia de alcohol.\n",
    )  # fmt: skip
    return english, spanish


def page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
def test_it_lists_each_languages_articles_on_its_own_list(pair):
    english, spanish = pair
    spanish_list, english_list = page("/es/articles/"), page("/articles/")
    assert "La abstinencia de alcohol" in spanish_list
    assert "Alcohol withdrawal" not in spanish_list and "Aprenda sobre la adicción" in spanish_list
    assert "Alcohol withdrawal" in english_list and "La abstinencia de alcohol" not in english_list
    assert 'href="/es/articles/category/abstinencia/"' in spanish_list


@pytest.mark.django_db
def test_it_shows_a_spanish_article_in_spanish_linked_both_ways_to_its_twin(pair):
    english, spanish = pair
    response = Client().get("/es/articles/abstinencia-de-alcohol/")
    html = response.content.decode()
    assert "Aviso médico:" in html and "Fuentes" in html
    assert "Revisado médicamente por" in html
    assert '<a href="/articles/alcohol-withdrawal/" lang="en" hreflang="en">Read in English</a>' in html
    assert response.context["page_translations"] == {
        "es": "/es/articles/abstinencia-de-alcohol/",
        "en": "/articles/alcohol-withdrawal/",
    }
    assert 'action="/es/callback/"' in html
    assert "Leer en español" in page("/articles/alcohol-withdrawal/")
    assert english.twin == spanish and spanish.twin == english


@pytest.mark.django_db
def test_it_offers_no_twin_link_before_the_twin_is_published(withdrawal, reviewer):
    english = make_article(withdrawal, reviewer, 1, slug="alone")
    make_article(withdrawal, reviewer, 2, slug="solo", language="es", translation_of=english, status="draft")
    response = Client().get("/articles/alone/")
    assert "Leer en español" not in response.content.decode()
    assert response.context["page_translations"] == {"en": "/articles/alone/"}


@pytest.mark.django_db
def test_it_redirects_a_slug_in_the_wrong_language_to_its_twin_or_its_own_page(pair, withdrawal, reviewer):
    make_article(withdrawal, reviewer, 3, slug="english-only")
    client = Client()
    assert client.get("/es/articles/alcohol-withdrawal/")["Location"] == "/es/articles/abstinencia-de-alcohol/"
    assert client.get("/articles/abstinencia-de-alcohol/")["Location"] == "/articles/alcohol-withdrawal/"
    moved = client.get("/es/articles/english-only/")
    assert moved.status_code == 301 and moved["Location"] == "/articles/english-only/"
    assert client.get("/es/articles/nothing-here/").status_code == 404
    assert client.get("/articles/category/abstinencia/")["Location"] == "/articles/category/withdrawal/"
    assert client.get("/es/articles/category/withdrawal/")["Location"] == "/es/articles/category/abstinencia/"


@pytest.mark.django_db
def test_it_searches_spanish_articles_with_spanish_stemming_and_without_accents(pair):
    for query in ["adicción", "adiccion", "adicciones", "cómo es la abstinencia"]:
        html = page(f"/es/articles/?q={query}")
        assert "La abstinencia de alcohol" in html and "1 resultado para" in html, query


@pytest.mark.django_db
def test_it_finds_no_english_article_from_the_spanish_search(pair):
    html = page("/es/articles/?q=withdrawal")
    assert "Alcohol withdrawal" not in html.split("no-results")[0]
    assert "0 resultados para" in html


@pytest.mark.django_db
def test_it_keeps_a_feed_per_language(pair):
    spanish_feed, english_feed = page("/es/articles/feed/"), page("/articles/feed/")
    assert "La abstinencia de alcohol" in spanish_feed and "Alcohol withdrawal" not in spanish_feed
    assert "<language>es</language>" in spanish_feed and "/es/articles/abstinencia-de-alcohol/" in spanish_feed
    assert "Alcohol withdrawal" in english_feed and "La abstinencia de alcohol" not in english_feed


@pytest.mark.django_db
def test_it_lists_each_article_at_its_own_address_in_the_sitemap_with_its_twin(pair):
    xml = page("/sitemap.xml")
    assert "<loc>http://testserver/es/articles/abstinencia-de-alcohol/</loc>" in xml or (
        "/es/articles/abstinencia-de-alcohol/</loc>" in xml
    )
    assert 'hreflang="es" href="' in xml and '/es/articles/abstinencia-de-alcohol/"/>' in xml
    assert "/es/articles/alcohol-withdrawal/" not in xml
    assert "/es/articles/category/abstinencia/</loc>" in xml and "/es/articles/</loc>" in xml


@pytest.mark.django_db
def test_it_publishes_a_translation_only_once_its_own_reviewer_approved_it(pair, withdrawal, reviewer):
    english, _ = pair
    other = Article.objects.create(
        title="Otro", slug="otro", summary="s", body="b", category=withdrawal, reviewer=reviewer, language="es"
    )
    english.refresh_from_db()
    with pytest.raises(PublishingRefused):
        other.publish()
    other.approve(by=reviewer.user)
    other.publish()
    assert other.is_live


@pytest.mark.django_db(transaction=True)
def test_it_lets_an_admin_add_the_spanish_translation_from_the_english_article(client, staff, reviewer, withdrawal):
    english = make_article(withdrawal, reviewer, 5, slug="detox-at-home", title="Detox at home")
    client.force_login(staff["admin"])
    change = client.get(f"/admin/articles/article/{english.pk}/change/").content.decode()
    assert "Add Spanish translation" in change and f"translation_of={english.pk}" in change
    response = client.post(
        f"/admin/articles/article/add/?language=es&translation_of={english.pk}",
        {
            "title": "Desintoxicación en casa", "slug": "desintoxicacion-en-casa", "language": "es",
            "translation_of": english.pk, "summary": "Resumen.", "body": "## Uno\n\nTexto.",
            "category": withdrawal.pk, "reviewer": reviewer.pk, "status": "draft", "publish_at_0": "2026-11-01",
            "publish_at_1": "10:00", "sources-TOTAL_FORMS": 0, "sources-INITIAL_FORMS": 0,
            "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    spanish = Article.objects.get(slug="desintoxicacion-en-casa")
    assert spanish.twin == english and english.twin == spanish and spanish.language == "es"


@pytest.mark.django_db
def test_it_caches_each_language_apart(pair):
    cache.clear()
    client = Client()
    for _ in range(2):
        spanish, english = client.get("/es/articles/"), client.get("/articles/")
    assert spanish["X-Cache"] == english["X-Cache"] == "hit"
    assert "La abstinencia de alcohol" in spanish.content.decode()
    assert "La abstinencia de alcohol" not in english.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_translation_in_the_same_language(pair, withdrawal, reviewer):
    english, _ = pair
    from django.core.exceptions import ValidationError

    article = Article(title="x", slug="x", summary="s", body="b", category=withdrawal, translation_of=english)
    with pytest.raises(ValidationError):
        article.clean()
    assert Category.objects.get().url_in("es") == "/es/articles/category/abstinencia/"
