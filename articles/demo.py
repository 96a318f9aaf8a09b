"""Demo articles for `manage.py seed_demo`, reviewed by a clearly labelled demo reviewer.

The articles themselves are Markdown files in `demo_articles/` (see its README.md), so an admin can
read and correct them like any article; this module only reads them and saves them.
"""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.dispatch import receiver
from django.utils import timezone

from intake.signals import seed_demo_content

from .demo_images import add_demo_images
from .models import Article, Category, MedicalReviewer, Source, Tag, ensure_reviewer_group

DEMO_ARTICLES = Path(__file__).resolve().parent / "demo_articles"
# The number in front of a file's name is its place in the seeding order (the order of the ids).
IN_ORDER = "[0-9]*-*.md"


def read_front_matter(path: Path) -> tuple[dict[str, list[str]], str]:
    """A file's `key: value` lines between the two `---` lines (a key may repeat), and the text below."""
    _, front, text = path.read_text(encoding="utf-8").split("---\n", 2)
    fields: dict[str, list[str]] = {}
    for line in front.splitlines():
        key, value = line.split(": ", 1)
        fields.setdefault(key, []).append(value)
    return fields, text.removesuffix("\n")


def demo_categories() -> list[dict]:
    categories = []
    for path in sorted((DEMO_ARTICLES / "categories").glob(IN_ORDER)):
        fields, description = read_front_matter(path)
        spanish = {key: fields.get(key, [""])[0] for key in ["name_es", "slug_es", "description_es"]}
        categories.append({"slug": fields["slug"][0], "name": fields["name"][0], "description": description, **spanish})
    return categories


def demo_articles() -> list[dict]:
    articles = []
    for path in sorted(DEMO_ARTICLES.glob(IN_ORDER)):
        fields, body = read_front_matter(path)
        article = {key: fields[key][0] for key in ["slug", "title", "seo_title", "seo_description", "summary"]}
        article["category"] = fields["category"][0]
        # A Spanish version names its English twin by slug (seeded before it: a lower number).
        article["language"] = fields.get("language", ["en"])[0]
        article["translation_of"] = fields.get("translation_of", [""])[0]
        article["tags"] = fields["tags"][0].split(", ")
        article["terms"] = fields.get("terms", [""])[0]
        article["days_ago"] = int(fields["published"][0].removesuffix(" days ago"))
        article["body"] = body
        article["sources"] = [_source(line) for line in fields.get("source", [])]
        articles.append(article)
    return articles


def _source(line: str) -> dict:
    """`title | publisher | url | accessed YYYY-MM-DD`."""
    title, publisher, url, accessed = line.split(" | ")
    return {
        "title": title,
        "publisher": publisher,
        "url": url,
        "accessed": dt.date.fromisoformat(accessed.removeprefix("accessed ")),
    }


def demo_reviewer() -> MedicalReviewer:
    """An invented clinician, labelled as demo content wherever the name shows, with the `reviewer`
    login (seed_demo prints it with the others) that approves the demo articles."""
    user, _ = User.objects.get_or_create(
        username="reviewer",
        defaults={"first_name": "Demo", "last_name": "Reviewer", "email": "reviewer@lantern.example"},
    )
    user.is_staff, user.is_active = True, True
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    user.groups.add(ensure_reviewer_group())
    reviewer, _ = MedicalReviewer.objects.update_or_create(
        user=user,
        defaults={
            "name": "Demo Reviewer",
            "credentials": "MD (demo content)",
            "licence_state": "NY",
            "licence_number": "DEMO-0000",
            "bio": "An invented reviewer for the demo site. Real articles name a real, licensed clinician.",
        },
    )
    return reviewer


@receiver(seed_demo_content)
def seed_demo_articles(sender, **kwargs) -> str | None:
    reviewer = demo_reviewer()
    categories = {}
    for position, data in enumerate(demo_categories()):
        categories[data["slug"]], _ = Category.objects.update_or_create(
            slug=data["slug"],
            defaults={**{key: value for key, value in data.items() if key != "slug"}, "position": position},
        )
    created = 0
    now = timezone.now()
    for data in demo_articles():
        if Article.objects.filter(slug=data["slug"]).exists():
            continue
        published = now - dt.timedelta(days=data["days_ago"])
        article = Article.objects.create(
            slug=data["slug"],
            language=data["language"],
            translation_of=Article.objects.filter(slug=data["translation_of"] or None).first(),
            title=data["title"],
            seo_title=data["seo_title"],
            seo_description=data["seo_description"],
            summary=data["summary"],
            terms=data["terms"],
            body=data["body"],
            category=categories[data["category"]],
            reviewer=reviewer,
            review_by=(published + dt.timedelta(days=365)).date(),
            publish_at=published,
        )
        article.tags.set([Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in data["tags"]])
        for position, source in enumerate(data["sources"]):
            Source.objects.create(article=article, position=position, **source)
        add_demo_images(article)
        # Demo articles arrive as a real one goes live: approved by their reviewer, then published.
        article.approve(by=reviewer.user, note="Demo content.")
        article.status = Article.Status.PUBLISHED
        article.save()
        created += 1
    return f"Created {created} demo articles" if created else None
