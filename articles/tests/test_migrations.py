"""Migration 0005 on data like the real site's: reviewer accounts become reviewer records, and live
articles stay live (their carried-over approval matches the fingerprint the site computes)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("articles", "0004_search_terms_trigram")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_carries_a_long_named_reviewer_and_a_live_article_over_in_one_go():
    old = migrate(BEFORE)
    User, Category, Article = (
        old.get_model(*name) for name in (("auth", "User"), ("articles", "Category"), ("articles", "Article"))
    )
    doctor = User.objects.create(username="dr-long", first_name="A" * 150, last_name="B" * 150, is_staff=True)
    category = Category.objects.create(name="Withdrawal", slug="withdrawal")
    Article.objects.create(
        title="Alcohol withdrawal", slug="alcohol-withdrawal", summary="What happens.", body="Body.",
        category=category, reviewer=doctor, reviewer_credentials="MD", status="published",
        publish_at=timezone.now(), seo_title="Withdrawal", hero_alt="",
    )  # fmt: skip

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate(latest)

    from articles.models import Article as LiveArticle
    from articles.models import MedicalReviewer

    reviewer = MedicalReviewer.objects.get()
    assert reviewer.name == "A" * 120 and reviewer.user.username == "dr-long" and reviewer.credentials == "MD"
    article = LiveArticle.objects.get()
    assert article.reviewer == reviewer
    # The carried-over approval is for the revision the site computes now: still publishable.
    assert article.revision == article.compute_revision()
    assert list(LiveArticle.objects.approved_revision()) == [article]
    assert article.publishing_problem() == ""
