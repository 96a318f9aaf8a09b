"""Medical sign-off: an article goes live only as its reviewer approved it, revision by revision."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Article, ArticleApproval, MedicalReviewer, PublishingRefused, ReviewError, Source

from .test_articles import make_article


@pytest.fixture
def draft(withdrawal, reviewer):
    return make_article(withdrawal, reviewer, 1, title="Alcohol withdrawal", status="draft")


def change_form(article: Article, **changes) -> dict:
    """The admin's change form for `article` as a browser would post it, with `changes`."""
    sources = list(article.sources.all())
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "reviewer": article.reviewer_id or "",
        "review_by": "",
        "status": article.status,
        "publish_at_0": timezone.localtime(article.publish_at).strftime("%Y-%m-%d"),
        "publish_at_1": timezone.localtime(article.publish_at).strftime("%H:%M:%S"),
        "author": "",
        "seo_title": "",
        "seo_description": "",
        "hero_alt": "",
        "sources-TOTAL_FORMS": str(len(sources)),
        "sources-INITIAL_FORMS": str(len(sources)),
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
        "terms": article.terms,
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    for n, source in enumerate(sources):
        data.update({f"sources-{n}-id": source.pk, f"sources-{n}-article": article.pk,
                     f"sources-{n}-position": source.position, f"sources-{n}-title": source.title,
                     f"sources-{n}-publisher": source.publisher, f"sources-{n}-url": source.url,
                     f"sources-{n}-accessed": source.accessed.isoformat()})  # fmt: skip
    return {**data, **changes}


@pytest.mark.django_db
def test_it_refuses_to_publish_a_revision_its_reviewer_has_not_approved(draft):
    draft.status = Article.Status.PUBLISHED
    with pytest.raises(PublishingRefused, match="Elena Reyes has not approved this article yet"):
        draft.save()
    with pytest.raises(PublishingRefused):
        Article.objects.get(pk=draft.pk).publish()
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


@pytest.mark.django_db
def test_it_publishes_once_the_reviewer_approves_and_records_who_when_and_what(draft, reviewer):
    draft.ask_for_review(by=reviewer.user)
    assert list(Article.objects.awaiting_review()) == [draft]
    assert list(Article.objects.awaiting_review_by(reviewer.user)) == [draft]

    approval = draft.approve(by=reviewer.user, note="Checked the dosing table.")
    draft.publish()

    assert Article.objects.published().get() == draft
    assert not Article.objects.awaiting_review().exists()
    assert (approval.reviewer, approval.approved_by) == (reviewer, reviewer.user)
    assert approval.note == "Checked the dosing table."
    assert approval.revision == Article.objects.get(pk=draft.pk).revision
    assert Article.objects.get(pk=draft.pk).last_reviewed == timezone.localdate()


@pytest.mark.django_db
def test_an_edit_after_approval_needs_a_new_approval_even_a_changed_source(draft, reviewer):
    draft.approve(by=reviewer.user)
    draft.body += "\n\nA new paragraph nobody reviewed."
    draft.save()
    draft.status = Article.Status.PUBLISHED
    with pytest.raises(PublishingRefused, match="The text changed after Elena Reyes approved it"):
        draft.save()

    draft.refresh_from_db()
    draft.approve(by=reviewer.user)
    Source.objects.create(article=draft, title="Unchecked", publisher="A blog", url="https://blog.example/")
    draft.refresh_from_db()
    assert draft.stage == "Draft" and draft.current_approval is None
    with pytest.raises(PublishingRefused):
        draft.publish()

    # Blank lines at the ends and Windows line ends are not a new version.
    draft.refresh_from_db()
    draft.approve(by=reviewer.user)
    draft.body = draft.body.replace("\n", "\r\n") + "\r\n\r\n"
    draft.publish()
    assert draft.is_live


@pytest.mark.django_db
def test_only_the_articles_own_reviewer_can_approve_not_an_admin_or_another_reviewer(draft, staff):
    other = MedicalReviewer.objects.create(name="Ravi Shah", credentials="DO", user=staff["sam"])
    for someone in (staff["admin"], staff["sam"], staff["avery"]):
        with pytest.raises(ReviewError, match="Only Elena Reyes"):
            draft.approve(by=someone)
    assert not ArticleApproval.objects.exists()

    # An approval counts only for the reviewer who gave it: choosing another reviewer needs theirs.
    draft.approve(by=draft.reviewer.user)
    draft.reviewer = other
    draft.status = Article.Status.PUBLISHED
    with pytest.raises(PublishingRefused, match="Ravi Shah has not approved"):
        draft.save()


@pytest.mark.django_db
def test_the_admin_form_refuses_publishing_an_unapproved_article_with_the_reason(client, draft, staff, reviewer):
    client.force_login(staff["admin"])
    url = f"/admin/articles/article/{draft.pk}/change/"

    refused = client.post(url, change_form(draft, status="published"))
    assert refused.status_code == 200
    assert "Elena Reyes has not approved this article yet" in refused.content.decode()
    assert Article.objects.get(pk=draft.pk).status == "draft"

    draft.approve(by=reviewer.user)
    # A source changed in the same form is a new version too.
    changed_source = change_form(draft, status="published", **{"sources-0-title": "Another study"})
    refused = client.post(url, changed_source)
    assert "These source changes make a new version of the article" in refused.content.decode()
    assert Article.objects.get(pk=draft.pk).status == "draft"

    published = client.post(url, change_form(draft, status="published"))
    assert published.status_code == 302
    assert Article.objects.get(pk=draft.pk).is_live

    # An edit to the live text is refused, and the editor is told how to save it anyway.
    live = Article.objects.get(pk=draft.pk)
    edited = client.post(url, change_form(live, body=live.body + "\n\nA new paragraph."))
    page = " ".join(edited.content.decode().split())
    assert "To save the change now, set the status to Draft" in page
    assert Article.objects.get(pk=draft.pk).body == live.body


@pytest.mark.django_db
def test_the_publish_now_action_publishes_approved_articles_and_names_the_refused_ones(
    client, withdrawal, reviewer, staff
):
    approved = make_article(withdrawal, reviewer, 1, title="Approved piece", status="draft")
    approved.approve(by=reviewer.user)
    unapproved = make_article(withdrawal, reviewer, 2, title="Unreviewed piece", status="draft")
    client.force_login(staff["admin"])

    response = client.post(
        "/admin/articles/article/",
        {"action": "publish_now", "_selected_action": [approved.pk, unapproved.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Published 1 article(s)." in page
    assert "Not published: “Unreviewed piece”: Elena Reyes has not approved this article yet" in page
    assert list(Article.objects.published()) == [approved]


@pytest.mark.django_db
def test_an_editor_asks_for_review_and_the_reviewer_approves_from_their_queue(client, draft, staff, reviewer):
    client.force_login(staff["admin"])
    asked = client.post(f"/admin/articles/article/{draft.pk}/change/", {**change_form(draft), "_ask_for_review": "1"})
    assert asked.status_code == 302
    assert list(Article.objects.awaiting_review()) == [draft]
    queue = client.get("/admin/articles/articleawaitingreview/").content.decode()
    assert "Alcohol withdrawal" in queue  # admins see everything that waits

    # The admin may read the review page, but the button is the reviewer's alone.
    review_url = f"/admin/articles/articleawaitingreview/{draft.pk}/review/"
    assert "Approve this version" not in client.get(review_url).content.decode()
    assert client.post(review_url, {"note": "ok"}).status_code == 403

    client.force_login(reviewer.user)
    assert "Alcohol withdrawal" in client.get("/admin/articles/articleawaitingreview/").content.decode()
    assert client.get("/admin/articles/article/").status_code == 403  # only their queue, not every article
    page = client.get(review_url).content.decode()
    assert "Approve this version" in page and "Body 1." in page
    approved = client.post(review_url, {"note": "Accurate.", "revision": shown_revision(page)}, follow=True)
    assert "You approved “Alcohol withdrawal” as it stands" in approved.content.decode()
    assert ArticleApproval.objects.get().note == "Accurate."
    assert not Article.objects.awaiting_review().exists()


def shown_revision(page: str) -> str:
    """The fingerprint the review page put in its form: the version the reviewer was shown."""
    return re.search(r'name="revision" value="([0-9a-f]{64})"', page).group(1)


@pytest.mark.django_db
def test_it_refuses_an_approval_when_the_article_changed_while_the_reviewer_was_reading(client, draft, staff, reviewer):
    draft.ask_for_review(by=staff["admin"])
    review_url = f"/admin/articles/articleawaitingreview/{draft.pk}/review/"
    client.force_login(reviewer.user)
    page = client.get(review_url).content.decode()
    assert "Body 1." in page

    draft.body = "Body 1. A dose the reviewer never read."
    draft.save()  # an editor saves while the page is open

    refused = client.post(review_url, {"note": "Accurate.", "revision": shown_revision(page)}, follow=True)
    assert "The article changed while you were reading it: read the new version" in refused.content.decode()
    assert not ArticleApproval.objects.exists()
    assert "A dose the reviewer never read" in refused.content.decode()  # back on the page, with the new text
    assert client.post(review_url, {"note": "Accurate."}).status_code == 302
    assert not ArticleApproval.objects.exists()  # a form without the version read approves nothing

    again = client.get(review_url).content.decode()
    client.post(review_url, {"revision": shown_revision(again)})
    assert ArticleApproval.objects.get().revision == Article.objects.get(pk=draft.pk).revision


@pytest.mark.django_db
def test_a_reviewers_queue_holds_only_their_own_articles(client, withdrawal, reviewer, staff):
    mine = make_article(withdrawal, reviewer, 1, title="Mine to review", status="draft")
    other = MedicalReviewer.objects.create(name="Ravi Shah", user=User.objects.create_user("dr-shah", is_staff=True))
    theirs = make_article(withdrawal, other, 2, title="Someone else's", status="draft")
    for article in (mine, theirs):
        article.ask_for_review(by=staff["admin"])

    client.force_login(reviewer.user)
    queue = client.get("/admin/articles/articleawaitingreview/").content.decode()
    assert "Mine to review" in queue and "Someone else" not in queue
    assert client.get(f"/admin/articles/articleawaitingreview/{theirs.pk}/review/").status_code == 404


@pytest.mark.django_db
def test_the_preview_says_where_the_article_stands_and_never_published_on_a_draft(client, draft, staff, reviewer):
    client.force_login(staff["admin"])

    def banner() -> str:
        page = client.get(f"/articles/preview/{draft.pk}/").content.decode()
        return page.split("<strong>Preview: ", 1)[1].split("</strong>", 1)[0]

    def byline() -> str:
        page = client.get(f"/articles/preview/{draft.pk}/").content.decode()
        return " ".join(re.sub(r"<[^>]+>", "", page.split('article-meta">', 1)[1].split("</p>", 1)[0]).split())

    assert banner() == "Draft."
    assert byline().startswith("Not yet published")  # neither "Published" nor a sign-off it lacks
    draft.ask_for_review(by=staff["admin"])
    assert banner() == "Awaiting review."
    draft.approve(by=reviewer.user)
    assert banner() == "Approved, not yet published."
    assert byline().startswith("Medically reviewed by Elena Reyes, MD")
    draft.publish_at = timezone.now() + dt.timedelta(days=2)
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert banner().startswith("Scheduled for ")
    draft.publish()
    assert banner() == "Published (live)."


@pytest.mark.django_db
def test_the_overdue_review_email_leads_the_reviewer_to_approve_the_live_text_again(
    client, withdrawal, reviewer, mailbox
):
    from articles.tasks import remind_overdue_reviews

    live = make_article(withdrawal, reviewer, 1, review_by=timezone.localdate() - dt.timedelta(days=1))
    assert remind_overdue_reviews() == 1
    review_url = f"/admin/articles/articleawaitingreview/{live.pk}/review/"
    assert review_url in mailbox.wait_for(1, timeout=3)[0]["data"]

    client.force_login(reviewer.user)
    page = client.get(review_url).content.decode()
    assert "Approve again: it still holds" in page
    client.post(review_url, {"note": "Checked against the 2026 guidance.", "revision": shown_revision(page)})
    live.refresh_from_db()
    assert live.last_reviewed == timezone.localdate() and live.is_live
    assert live.approvals.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"seo_title": "Alcohol withdrawal: what really happens"},
        {"seo_description": "A different promise in search results."},
        {"hero_alt": "Someone else entirely."},
    ],
)
def test_it_needs_a_new_approval_when_what_readers_see_beside_the_text_changes(draft, reviewer, change):
    draft.approve(by=reviewer.user)
    assert draft.publishing_problem() == ""
    for field, value in change.items():
        setattr(draft, field, value)
    assert "The text changed after Elena Reyes approved it" in draft.publishing_problem()


@pytest.mark.django_db
def test_it_needs_a_new_approval_when_a_body_images_caption_or_alt_text_changes(draft, reviewer):
    from articles.models import ArticleImage

    from .test_article_images import photo

    image = ArticleImage.objects.create(article=draft, name="chart", image=photo(), alt="Symptoms over two days")
    draft.approve(by=reviewer.user)
    assert Article.objects.approved_revision().filter(pk=draft.pk).exists()
    image.caption = "Peaks at 48 hours."
    image.save()
    assert not Article.objects.approved_revision().filter(pk=draft.pk).exists()
    assert "The text changed" in Article.objects.get(pk=draft.pk).publishing_problem()


@pytest.mark.django_db
def test_a_draft_preview_is_for_editors_and_its_own_reviewer_not_any_staff_member(client, draft, staff, reviewer):
    url = f"/articles/preview/{draft.pk}/"
    other = MedicalReviewer.objects.create(name="Ravi Shah", user=User.objects.create_user("dr-shah", is_staff=True))
    staff["avery"].is_staff = True
    staff["avery"].save()
    for outsider in (staff["avery"], other.user):  # an admissions worker, another article's reviewer
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for reader in (reviewer.user, staff["admin"]):
        client.force_login(reader)
        assert "Body 1." in client.get(url).content.decode()


@pytest.mark.django_db
def test_deleting_an_article_keeps_its_sign_offs_for_the_auditors(client, draft, reviewer, staff):
    draft.approve(by=reviewer.user, note="Checked the dosing table.")
    client.force_login(staff["admin"])
    assert client.post(f"/admin/articles/article/{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=draft.pk).exists()

    approval = ArticleApproval.objects.get()
    assert approval.article is None and approval.approved_by == reviewer.user
    assert (approval.article_title, approval.article_slug) == ("Alcohol withdrawal", draft.slug)
    trail = client.get("/admin/articles/articleapproval/").content.decode()
    assert "Alcohol withdrawal (deleted)" in trail and "Checked the dosing table." in trail
