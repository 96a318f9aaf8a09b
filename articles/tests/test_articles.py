"""Articles: what visitors can read, find and trust, and what admins can safely publish."""

import datetime as dt
import json
import re
import time
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles.models import Article, Category, Source, Tag
from articles.rendering import render_markdown
from articles.tasks import remind_overdue_reviews
from intake.models import Lead


def make_article(category, reviewer, n=1, **fields) -> Article:
    defaults = {
        "title": f"Article {n}",
        "slug": f"article-{n}",
        "summary": f"Summary {n}",
        "body": f"## Part one\n\nBody {n}.\n\n### Detail\n\nMore.\n",
        "category": category,
        "reviewer": reviewer,
        "last_reviewed": dt.date(2026, 10, 1),
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() - dt.timedelta(days=n),
    }
    wanted = {**defaults, **fields}
    status = wanted.pop("status")
    article = Article.objects.create(**wanted)
    Source.objects.create(
        article=article, title="Opioid overdose", publisher="NIDA", url="https://nida.nih.gov/research-topics/opioids"
    )
    if status == Article.Status.PUBLISHED:  # as it goes live for real: approved by its reviewer first
        article.approve(by=reviewer.user)
        article.status, article.last_reviewed = status, wanted["last_reviewed"]
        article.save()
    return article


# --- Visibility ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_hides_drafts_and_scheduled_articles_from_the_public_but_not_from_staff_preview(
    client, withdrawal, reviewer
):
    live = make_article(withdrawal, reviewer, 1, title="Live now")
    draft = make_article(withdrawal, reviewer, 2, title="Still a draft", status="draft")
    later = make_article(
        withdrawal, reviewer, 3, title="Out tomorrow", publish_at=timezone.now() + dt.timedelta(days=1)
    )

    listing = client.get("/articles/").content.decode()
    assert "Live now" in listing and "Still a draft" not in listing and "Out tomorrow" not in listing
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(later.get_absolute_url()).status_code == 404
    assert client.get(live.get_absolute_url()).status_code == 200

    assert client.get(f"/articles/preview/{draft.pk}/").status_code == 302  # to the admin sign-in
    client.force_login(reviewer.user)
    preview = client.get(f"/articles/preview/{later.pk}/").content.decode()
    assert "Out tomorrow" in preview and "Scheduled for" in preview


@pytest.mark.django_db
def test_it_publishes_a_scheduled_article_when_its_time_comes_without_a_cron_job(client, withdrawal, reviewer):
    make_article(withdrawal, reviewer, 1, title="Scheduled piece", publish_at=timezone.now() + dt.timedelta(seconds=2))
    first = client.get("/articles/")
    assert "Scheduled piece" not in first.content.decode() and first["X-Cache"] == "miss"

    time.sleep(3.2)  # nothing runs meanwhile: no cron, no task, no edit

    assert "Scheduled piece" in client.get("/articles/").content.decode()


# --- Safety of what editors write -------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<p onclick="steal()">hi</p>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
    ],
)
def test_it_strips_scripts_handlers_and_javascript_urls(markdown):
    html = render_markdown(f"Text before.\n\n{markdown}\n\nText after.")
    lowered = html.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "onclick" not in lowered
    assert "javascript:" not in lowered and "<iframe" not in lowered and "<style" not in lowered
    assert "Text after." in html


def test_it_keeps_ordinary_formatting_and_gives_headings_anchors():
    html = render_markdown("## What to expect\n\nA **bold** [link](https://www.samhsa.gov/).\n\n- one\n- two")
    assert '<h2 id="what-to-expect">What to expect</h2>' in html
    assert "<strong>bold</strong>" in html and 'href="https://www.samhsa.gov/"' in html and "<li>one</li>" in html


# --- Search ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_ranks_a_title_match_above_a_summary_and_a_body_match(client, withdrawal, reviewer):
    body_hit = make_article(withdrawal, reviewer, 1, title="Getting ready", body="## Notes\n\nKratom comes up here.")
    title_hit = make_article(withdrawal, reviewer, 2, title="Kratom withdrawal explained")
    summary_hit = make_article(withdrawal, reviewer, 3, title="Plant-based drugs", summary="Including kratom.")
    make_article(withdrawal, reviewer, 4, title="Unrelated")

    html = client.get("/articles/", {"q": "kratom"}).content.decode()

    positions = [html.index(a.title) for a in (title_hit, summary_hit, body_hit)]
    assert positions == sorted(positions)
    assert "Unrelated" not in html and "3 results" in html


# --- Article page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_shows_the_reviewer_contents_sources_disclaimer_and_ways_to_get_help(client, withdrawal, reviewer, settings):
    article = make_article(withdrawal, reviewer, 1)
    related = make_article(withdrawal, reviewer, 2, title="A related read")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Medically reviewed by <strong>Elena Reyes, MD</strong> on" in html
    assert 'href="#part-one"' in html and 'href="#detail"' in html
    assert "min read" in html
    assert "https://nida.nih.gov/research-topics/opioids" in html
    assert "Medical disclaimer" in html
    assert 'href="tel:+18005550142"' in html and 'href="/verify/"' in html and 'action="/callback/"' in html
    assert related.title in html
    assert f'<link rel="canonical" href="{settings.SITE_URL}{article.get_absolute_url()}">' in html
    assert '<meta property="og:title"' in html


@pytest.mark.django_db
def test_it_describes_the_page_as_a_reviewed_medical_web_page_in_json_ld(client, withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, 1, title="Alcohol </script> withdrawal")
    html = client.get(article.get_absolute_url()).content.decode()

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "MedicalWebPage" and data["name"] == "Alcohol </script> withdrawal"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Elena Reyes", "honorificSuffix": "MD"}
    assert data["lastReviewed"] == "2026-10-01"
    assert data["citation"][0]["url"] == "https://nida.nih.gov/research-topics/opioids"


@pytest.mark.django_db
def test_it_lists_only_published_articles_in_the_feed_and_sitemap(client, withdrawal, reviewer, settings):
    live = make_article(withdrawal, reviewer, 1, title="Live article")
    draft = make_article(withdrawal, reviewer, 2, title="Draft article", status="draft")

    feed = ET.fromstring(client.get("/articles/feed/").content)
    titles = [item.findtext("title") for item in feed.iter("item")]
    assert titles == ["Live article"]

    sitemap = client.get("/sitemap.xml").content.decode()
    ET.fromstring(sitemap)
    assert live.get_absolute_url() in sitemap and draft.get_absolute_url() not in sitemap
    assert "/articles/category/withdrawal/" in sitemap

    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /staff/" in robots and f"Sitemap: {settings.SITE_URL}/sitemap.xml" in robots


@pytest.mark.django_db
def test_it_filters_by_category_and_pages_the_list(client, withdrawal, reviewer, settings):
    settings.ARTICLES_PER_PAGE = 2
    other = Category.objects.create(name="Families", slug="families")
    for n in range(1, 4):
        make_article(withdrawal, reviewer, n)
    make_article(other, reviewer, 9, title="For families")

    assert "For families" not in client.get("/articles/category/withdrawal/").content.decode()
    first = client.get("/articles/").content.decode()
    assert "1 of 2" in first and "Article 1" in first and "Article 3" not in first


# --- Cache ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_serves_anonymous_pages_from_cache_and_retires_them_on_edit_and_unpublish(withdrawal, reviewer):
    client = Client()
    article = make_article(withdrawal, reviewer, 1, title="Original title")
    url = article.get_absolute_url()

    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"

    Article.objects.filter(pk=article.pk).update(seo_title="Corrected title")  # the search title is reviewed too
    article.refresh_from_db()
    article.approve(by=article.reviewer.user)
    article.save()
    response = client.get(url)
    assert response["X-Cache"] == "miss" and "Corrected title" in response.content.decode()

    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(url).status_code == 404
    assert "Corrected title" not in client.get("/articles/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_visitors_from_ads_share_the_cached_page_and_searches_are_not_cached(withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, 1, title="Detox at home")
    client = Client()
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    # Every ad click carries its own click id: it must not make a page of its own.
    from_ad = client.get(f"{article.get_absolute_url()}?gclid=abc123&utm_source=google")
    assert from_ad["X-Cache"] == "hit" and "Detox at home" in from_ad.content.decode()

    assert client.get("/articles/?q=detox")["X-Cache"] == "bypass"
    other = client.get("/articles/?q=opioid")
    assert other["X-Cache"] == "bypass" and "Detox at home" not in other.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_accepts_the_callback_form_from_a_cached_page_with_its_token_and_refuses_it_without(
    withdrawal, reviewer, staff
):
    article = make_article(withdrawal, reviewer, 1)
    warm = Client(enforce_csrf_checks=True)
    warm.get(article.get_absolute_url())  # someone else fills the cache

    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(article.get_absolute_url())
    assert page["X-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert token != "__LANTERN_CSRF_TOKEN__"
    form = {"name": "Robin", "phone": "(312) 555-0187", "consent": "on", "for_whom": "self", "best_time": "asap",
            "from_page": article.get_absolute_url()}  # fmt: skip

    refused = Client(enforce_csrf_checks=True).post("/callback/", form)
    assert refused.status_code == 403 and Lead.objects.count() == 0

    accepted = visitor.post("/callback/", {**form, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert Lead.objects.get().landing_page == article.get_absolute_url()


# --- Speed ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_it_renders_list_and_detail_in_a_constant_number_of_queries(
    client, withdrawal, reviewer, django_assert_num_queries, count, settings
):
    settings.ARTICLE_CACHE_SECONDS = 1
    tags = [Tag.objects.create(name=f"tag{n}") for n in range(5)]
    articles = [make_article(withdrawal, reviewer, n) for n in range(1, count + 1)]
    for article in articles:
        article.tags.set(tags)
        for n in range(count // 3):
            Source.objects.create(article=article, title=f"S{n}", publisher="NIDA", url="https://nida.nih.gov/")
    cache.clear()
    # list: the centre's name (its cache was just emptied), count, page, tags, categories, next publication
    with django_assert_num_queries(6):
        client.get("/articles/")
    # detail: article, sources, tags, its translations (the language switch), related, next publication
    with django_assert_num_queries(6):
        client.get(articles[0].get_absolute_url())


# --- Review reminders -----------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reminds_the_reviewer_once_when_a_review_is_overdue(withdrawal, reviewer, mailbox):
    make_article(withdrawal, reviewer, 1, title="Overdue review", review_by=timezone.localdate() - dt.timedelta(days=1))
    make_article(withdrawal, reviewer, 2, title="Not yet", review_by=timezone.localdate() + dt.timedelta(days=9))

    assert remind_overdue_reviews() == 1
    assert remind_overdue_reviews() == 0
    messages = mailbox.wait_for(1, timeout=3)
    assert len(messages) == 1 and messages[0]["to"] == ["reyes@lantern.example"]
    assert "Overdue review" in messages[0]["data"]

    # A new review-by date arms a new reminder.
    Article.objects.filter(title="Overdue review").update(review_by=timezone.localdate() - dt.timedelta(hours=1))
    Article.objects.filter(title="Overdue review").update(review_by=timezone.localdate() - dt.timedelta(days=2))
    assert remind_overdue_reviews() == 1


@pytest.mark.django_db
def test_search_ranks_title_over_body_and_follows_every_kind_of_edit(client, withdrawal, reviewer):
    in_body = make_article(withdrawal, reviewer, 1, body="Kratom withdrawal can last a week.")
    in_title = make_article(withdrawal, reviewer, 2, title="Kratom: what to know")
    make_article(withdrawal, reviewer, 3)

    def found(query: str) -> list[str]:
        return re.findall(r'href="/articles/(article-\d+)/"', client.get("/articles/", {"q": query}).content.decode())

    assert found("kratom") == [in_title.slug, in_body.slug]
    # A bulk edit (no save(), no signal) is searchable at once: the database keeps the vector.
    Article.objects.filter(pk=in_body.pk).update(body="Gabapentin misuse is rising.")
    assert found("kratom") == [in_title.slug]
    assert found("gabapentin") == [in_body.slug]
