"""Writing in the admin: old addresses keep working, the live preview, what the sanitiser removed,
the sources inline, and an admin index in words."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, ArticleRedirect

from .test_articles import make_article

PREVIEW = "/admin/articles/article/live-preview/"


def rename(article: Article, slug: str) -> None:
    article.slug = slug
    article.save()


# --- Old addresses --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # edits retire cached pages on commit
def test_a_renamed_articles_old_address_answers_301_to_the_new_one_and_chains_collapse(withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, 1, slug="alcohol-detox")
    rename(article, "alcohol-withdrawal")
    rename(article, "alcohol-withdrawal-safety")
    visitor = Client()

    for old in ("alcohol-detox", "alcohol-withdrawal"):
        response = visitor.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/alcohol-withdrawal-safety/"  # straight there, no chain
    assert visitor.get("/articles/alcohol-withdrawal-safety/").status_code == 200

    # Back to an old name: that address is the article again, never a redirect to itself.
    rename(article, "alcohol-detox")
    assert visitor.get("/articles/alcohol-detox/").status_code == 200
    assert visitor.get("/articles/alcohol-withdrawal-safety/")["Location"] == "/articles/alcohol-detox/"
    assert not ArticleRedirect.objects.filter(old_slug="alcohol-detox").exists()


@pytest.mark.django_db(transaction=True)
def test_old_addresses_lead_nowhere_while_the_article_is_unpublished_and_drafts_make_none(withdrawal, reviewer):
    live = make_article(withdrawal, reviewer, 1, slug="what-is-detox")
    rename(live, "what-detox-is")
    live.status = Article.Status.DRAFT
    live.save()
    assert Client().get("/articles/what-is-detox/").status_code == 404

    draft = make_article(withdrawal, reviewer, 2, slug="draft-name", status="draft")
    rename(draft, "better-draft-name")
    assert not ArticleRedirect.objects.filter(old_slug="draft-name").exists()


@pytest.mark.django_db(transaction=True)
def test_admins_can_list_edit_and_delete_redirects(client, withdrawal, reviewer, staff):
    article = make_article(withdrawal, reviewer, 1, slug="old-name")
    rename(article, "new-name")
    client.force_login(staff["admin"])
    listing = client.get("/admin/articles/articleredirect/").content.decode()
    assert "/articles/old-name/" in listing

    redirect = ArticleRedirect.objects.get()
    changed = client.post(
        f"/admin/articles/articleredirect/{redirect.pk}/change/", {"old_slug": "older-name", "article": article.pk}
    )
    assert changed.status_code == 302
    assert Client().get("/articles/older-name/")["Location"] == "/articles/new-name/"
    client.post(f"/admin/articles/articleredirect/{redirect.pk}/delete/", {"post": "yes"})
    assert Client().get("/articles/older-name/").status_code == 404


# --- Live preview and the sanitiser ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_live_preview_renders_with_the_public_renderer_and_names_what_it_removed(client, staff):
    client.force_login(staff["admin"])
    body = (
        "## Symptoms\n\n### First day\n\nShaking <script>alert('x')</script>"
        ' <b onclick="steal()">bold</b>\n\n<iframe src="https://ads.example/"></iframe>\n\n'
        "| Day | Symptom |\n| --- | --- |\n| 1 | Sweats |\n"
    )
    response = client.post(PREVIEW, {"title": "Alcohol <withdrawal>", "summary": "What to expect", "body": body})
    assert response.status_code == 200
    result = json.loads(response.content)

    html = result["html"]
    assert '<h2 id="symptoms">Symptoms</h2>' in html and "<table>" in html  # the public page's markup
    assert "<li>Symptoms<ol><li>First day</li></ol></li>" in html  # its contents, nested as on the page
    assert "Alcohol &lt;withdrawal&gt;" in html
    assert "<script" not in html and "onclick" not in html and "<iframe" not in html
    assert result["removed"] == ["<script> element and its contents", "<iframe> element", "onclick attribute"]


@pytest.mark.django_db
def test_the_live_preview_is_for_staff_signed_in_and_with_a_csrf_token_only(staff, django_user_model):
    nobody = django_user_model.objects.create_user("morgan", "morgan@lantern.example", "correct horse battery")
    anonymous = Client()
    assert anonymous.post(PREVIEW, {"body": "x"}).status_code == 302  # to the sign-in
    nobody_client = Client()
    nobody_client.force_login(nobody)
    assert nobody_client.post(PREVIEW, {"body": "x"}).status_code == 302
    worker = Client()
    worker.force_login(staff["avery"])  # admissions, not an admin
    assert worker.post(PREVIEW, {"body": "x"}).status_code == 302

    from conftest import verify_second_factor

    admin = Client(enforce_csrf_checks=True)
    admin.force_login(staff["admin"])
    verify_second_factor(admin, staff["admin"])
    assert admin.post(PREVIEW, {"body": "x"}).status_code == 403  # no CSRF token
    assert admin.get(PREVIEW).status_code == 405


@pytest.mark.django_db
def test_saving_an_article_says_what_the_sanitiser_removed(client, withdrawal, reviewer, staff):
    client.force_login(staff["admin"])
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "Pasted from a website",
            "slug": "pasted",
            "summary": "S",
            "body": '## Part\n\n<div style="color:red">Text</div> [call](javascript:alert(1)) <!-- note -->',
            "category": withdrawal.pk,
            "reviewer": reviewer.pk,
            "status": "draft",
            "publish_at_0": "2026-11-01",
            "publish_at_1": "10:00:00",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "was added successfully" in page
    assert "Removed: &lt;div&gt; element, javascript: link, HTML comment." in page


# --- The form and the index -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_loads_the_editor_and_numbers_the_next_source(client, withdrawal, reviewer, staff):
    article = make_article(withdrawal, reviewer, 1, status="draft")
    article.sources.create(position=4, title="Second", publisher="NIH", url="https://www.nih.gov/")
    client.force_login(staff["admin"])
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    assert "/static/js/article_editor.js" in page and "/static/css/article_editor.css" in page
    assert f'data-preview-url="{PREVIEW}"' in page
    assert 'name="sources-2-position" value="5"' in page  # the empty row comes after the last one
    assert page.index('value="Opioid overdose"') < page.index('value="Second"')  # by position
    assert 'value="Save and ask for review"' in page
    assert "needs their approval again" in page


@pytest.mark.django_db
def test_the_admin_index_names_every_section_in_words(client, staff):
    client.force_login(staff["admin"])
    page = client.get("/admin/").content.decode()
    assert "Sign-in lockouts" in page
    for unreadable in (">Axes<", "OTP_STATIC", "OTP_TOTP", "Otp_"):
        assert unreadable not in page
    assert "Awaiting review" in page and "Medical reviewers" in page and "Old addresses (redirects)" in page


@pytest.mark.django_db
def test_an_untouched_empty_source_row_is_no_new_source(client, withdrawal, reviewer, staff):
    from .test_review_workflow import change_form

    article = make_article(withdrawal, reviewer, 1, status="draft")
    client.force_login(staff["admin"])
    # The page's empty row, posted as the browser sends it: with the next position filled in.
    today = timezone.localdate().isoformat()  # a callable default: the page carries it twice
    empty_row = {"sources-TOTAL_FORMS": "2", "sources-1-position": "1", "sources-1-accessed": today,
                 "initial-sources-1-accessed": today}  # fmt: skip
    saved = client.post(f"/admin/articles/article/{article.pk}/change/", change_form(article, **empty_row))
    assert saved.status_code == 302
    assert article.sources.count() == 1


@pytest.mark.django_db
def test_a_source_row_added_on_the_page_and_left_blank_is_no_new_source(client, withdrawal, reviewer, staff):
    from .test_review_workflow import change_form

    article = make_article(withdrawal, reviewer, 1, status="draft")
    client.force_login(staff["admin"])
    # "Add another Source" clicked, the script numbered the row, nothing else typed.
    added_row = {"sources-TOTAL_FORMS": "2", "sources-1-position": "7", "sources-1-accessed": ""}
    saved = client.post(f"/admin/articles/article/{article.pk}/change/", change_form(article, **added_row))
    assert saved.status_code == 302
    assert article.sources.count() == 1


@pytest.mark.django_db
def test_each_source_input_is_named_for_screen_readers(client, withdrawal, reviewer, staff):
    article = make_article(withdrawal, reviewer, 1, status="draft")
    client.force_login(staff["admin"])
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    for field, column in [("position", "Position"), ("title", "Title"), ("url", "Url"), ("accessed", "Accessed")]:
        tag = re.search(rf'<input[^>]*name="sources-0-{field}"[^>]*>', page)[0]
        assert f'aria-label="{column}"' in tag, tag
