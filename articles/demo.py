"""Demo articles for `manage.py seed_demo`, reviewed by a clearly labelled demo reviewer."""

import datetime as dt

from django.contrib.auth.models import User
from django.dispatch import receiver
from django.utils import timezone

from intake.signals import seed_demo_content

from .models import Article, Category, Source, Tag


@receiver(seed_demo_content)
def seed_demo_articles(sender, **kwargs) -> str | None:
    from .demo_content import ARTICLES, CATEGORIES  # a large module, needed only here

    reviewer, _ = User.objects.get_or_create(
        username="reviewer",
        defaults={"first_name": "Demo", "last_name": "Reviewer", "email": "reviewer@lantern.example"},
    )
    categories = {}
    for position, data in enumerate(CATEGORIES):
        categories[data["slug"]], _ = Category.objects.update_or_create(
            slug=data["slug"],
            defaults={"name": data["name"], "description": data["description"], "position": position},
        )
    created = 0
    now = timezone.now()
    for data in ARTICLES:
        if Article.objects.filter(slug=data["slug"]).exists():
            continue
        published = now - dt.timedelta(days=data["days_ago"])
        article = Article.objects.create(
            slug=data["slug"],
            title=data["title"],
            seo_title=data["seo_title"],
            seo_description=data["seo_description"],
            summary=data["summary"],
            body=data["body"],
            category=categories[data["category"]],
            reviewer=reviewer,
            reviewer_credentials="MD (demo content)",
            last_reviewed=(published + dt.timedelta(days=1)).date(),
            review_by=(published + dt.timedelta(days=365)).date(),
            status=Article.Status.PUBLISHED,
            publish_at=published,
        )
        article.tags.set([Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in data["tags"]])
        for position, source in enumerate(data["sources"]):
            Source.objects.create(article=article, position=position, **source)
        created += 1
    return f"Created {created} demo articles" if created else None
