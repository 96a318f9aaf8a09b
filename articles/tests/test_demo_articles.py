"""The demo articles `manage.py seed_demo` publishes, read from articles/demo_articles/*.md."""

import pytest
from django.test import Client

from articles.demo import seed_demo_articles
from articles.models import Article, Category


@pytest.mark.django_db(transaction=True)
def test_it_publishes_the_demo_articles_reviewed_sourced_and_only_once():
    assert seed_demo_articles(None) == "Created 12 demo articles"
    assert seed_demo_articles(None) is None

    assert list(Category.objects.values_list("slug", flat=True)) == [
        "withdrawal",
        "treatment",
        "families",
        "insurance-and-cost",
    ]
    articles = Article.objects.published().order_by("pk")
    assert articles.count() == 12
    assert articles[0].slug == "heroin-withdrawal-timeline"
    for article in articles:
        assert article.reviewer_name == "Demo Reviewer, MD (demo content)"
        assert article.sources.count() >= 2 and article.tags.exists() and article.toc

    page = Client().get(articles[0].get_absolute_url()).content.decode()
    assert "Opiate and opioid withdrawal" in page and "MedlinePlus (U.S. National Library of Medicine)" in page
    assert "Medically reviewed by <strong>Demo Reviewer, MD (demo content)</strong>" in page
    assert "Medical disclaimer:" in page
