"""Article images: alt text required, uploads checked and cleaned, responsive copies made once,
and the page that shows them sized, prioritised and previewed right."""

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from PIL import Image

from articles.admin_images import ALT_REQUIRED
from articles.demo import seed_demo_articles
from articles.demo_images import TIMELINE_ALT
from articles.models import Article, ArticleImage

from .test_articles import make_article

GPS = 0x8825


def photo(size=(1600, 900), kind="JPEG", name="sunrise.jpg") -> SimpleUploadedFile:
    """A photo as a camera leaves it: with an EXIF block naming the camera and where it was."""
    image = Image.new("RGB", size, (200, 150, 90))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0110] = "Camera model"
    exif.get_ifd(GPS)[2] = (40.0, 26.0, 46.0)
    out = io.BytesIO()
    image.save(out, format=kind, exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{kind.lower()}")


def on_disk(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


@pytest.fixture
def article(withdrawal, reviewer):
    return make_article(withdrawal, reviewer, body="## Timeline\n\nIt varies.\n\n![](image:timeline)\n\n## After\n")


class _Form(HTMLParser):
    """What a browser would send back from the admin change form, unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def change_form(client, article: Article) -> dict:
    response = client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    parser = _Form()
    parser.feed(response.content.decode())
    return {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}


@pytest.mark.django_db
def test_it_refuses_an_image_without_alt_text_with_the_message_next_to_the_field(client, staff, article):
    client.force_login(staff["admin"])
    data = change_form(client, article)
    assert data["images-TOTAL_FORMS"] == "0"
    data.update({"images-TOTAL_FORMS": "1", "images-0-name": "timeline", "images-0-alt": "  ", "images-0-caption": ""})
    data["images-0-image"] = photo()

    response = client.post(f"/admin/articles/article/{article.pk}/change/", data)

    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    # The message sits in the alt field's row, and the field points at it (read out with the field).
    error = re.search(r'<ul class="errorlist" id="id_images-0-alt_error"><li>(.*?)</li>', page).group(1)
    assert error == escape(ALT_REQUIRED)
    field = re.search(r'<textarea name="images-0-alt"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "id_images-0-alt_error" in field
    assert not ArticleImage.objects.exists()

    data["images-0-image"] = photo()
    data["images-0-alt"] = "A chart of how symptoms rise over two days and then fade."
    # The article is live: a new image is a new version, which its reviewer has not approved.
    refused = client.post(f"/admin/articles/article/{article.pk}/change/", data).content.decode()
    assert "These image changes make a new version of the article" in refused
    assert not ArticleImage.objects.exists()

    data["images-0-image"] = photo()
    data["status"] = "draft"
    assert client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    assert ArticleImage.objects.get().alt.startswith("A chart")


@pytest.mark.django_db
def test_it_asks_for_alt_text_that_says_something(article):
    image = ArticleImage(article=article, name="timeline", image=photo(), alt="Image")
    with pytest.raises(ValidationError) as refused:
        image.full_clean()
    assert "alt" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("chart.png", b"<svg onload=alert(1)></svg>", "image/png"), "isn't a JPEG, PNG or WebP"),
        (lambda: photo(kind="GIF", name="moving.jpg"), "isn't a JPEG, PNG or WebP"),
        (lambda: photo(size=(8000, 6000), kind="PNG", name="huge.png"), "too many pixels"),
    ],
    ids=["markup-named-png", "gif-named-jpg", "48-megapixels"],
)
def test_it_refuses_uploads_that_are_not_a_jpeg_png_or_webp_within_the_limits(article, upload, message):
    upload = upload() if callable(upload) else upload
    image = ArticleImage(article=article, name="timeline", image=upload, alt="A chart of symptoms over time")

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert message in " ".join(refused.value.message_dict["image"])


@pytest.mark.django_db
def test_it_stores_the_upload_without_its_camera_and_location_details(article):
    image = ArticleImage.objects.create(article=article, name="timeline", image=photo(), alt="A chart of symptoms")

    stored = Image.open(on_disk(image.image.name))
    assert stored.format == "JPEG" and stored.size == (1600, 900)
    assert not stored.getexif() and "exif" not in stored.info


@pytest.mark.django_db
def test_it_makes_avif_and_jpeg_copies_at_each_width_once_and_again_only_for_a_new_image(article):
    image = ArticleImage.objects.create(article=article, name="timeline", image=photo(), alt="A chart of symptoms")

    copies = image.renditions["files"]
    assert set(copies) == {"image/avif", "image/jpeg"}
    for content_type, files in copies.items():
        assert [(width, height) for width, height, _ in files] == [(480, 270), (800, 450), (1200, 675)]
        for width, height, name in files:
            made = Image.open(on_disk(name))
            assert made.size == (width, height) and made.format == content_type.split("/")[1].upper()
    written = {name: on_disk(name).stat().st_mtime_ns for files in copies.values() for _, _, name in files}

    image.caption = "Timing varies from person to person."
    image.save()
    article.refresh_from_db()
    article.approve(by=article.reviewer.user)  # the new caption is part of what the reviewer signs off
    article.seo_title = "Edited title"
    Article.objects.filter(pk=article.pk).update(seo_title="Edited title")
    article.approve(by=article.reviewer.user)
    article.save()

    image.refresh_from_db()
    assert image.renditions["files"] == copies
    assert {name: on_disk(name).stat().st_mtime_ns for name in written} == written  # not written again

    image.image = photo(size=(640, 480), name="new-chart.jpg")
    image.save()
    assert [(w, h) for w, h, _ in image.renditions["files"]["image/jpeg"]] == [(480, 360), (640, 480)]
    assert not any(on_disk(name).exists() for name in written)  # the old copies are gone


class _Pictures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[dict] = []
        self.sources: list[dict] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.imgs.append(attrs)
        elif tag == "source":
            self.sources.append(attrs)
        elif tag == "meta" and attrs.get("property", "").startswith("og:image"):
            self.meta[attrs["property"]] = attrs["content"]


@pytest.mark.django_db
def test_it_shows_the_hero_at_once_and_body_images_lazily_all_sized_with_responsive_copies(client, article):
    article.status = Article.Status.DRAFT  # a new hero is a new version: saved, approved, published
    article.hero_image = photo(name="hero.jpg")
    article.hero_alt = "The sun rising over green hills."
    article.save()
    article.approve(by=article.reviewer.user)
    article.status = Article.Status.PUBLISHED
    article.save()
    ArticleImage.objects.create(article=article, name="timeline", image=photo(), alt="A chart of symptoms over time")

    page = client.get(article.get_absolute_url()).content.decode()

    parsed = _Pictures()
    parsed.feed(page)
    hero, chart = parsed.imgs
    assert hero["alt"] == "The sun rising over green hills." and chart["alt"] == "A chart of symptoms over time"
    for img in (hero, chart):
        assert (img["width"], img["height"]) == ("1200", "675")
        assert re.fullmatch(r"(/media/articles/renditions/\S+\.jpg \d+w, ){2}/media/\S+/1200\.jpg 1200w", img["srcset"])
        assert img["sizes"]
    assert hero["fetchpriority"] == "high" and "loading" not in hero
    # ... and its fetch starts from the head, in the best format, before the parser reaches the <img>.
    preload = re.search(r'<link rel="preload" as="image" type="image/(avif|webp)" imagesrcset="([^"]+)"', page)
    assert preload and preload[2] == parsed.sources[0]["srcset"]
    assert chart["loading"] == "lazy" and chart["decoding"] == "async" and "fetchpriority" not in chart
    assert [source["type"] for source in parsed.sources] == ["image/avif", "image/avif"]

    og = parsed.meta
    assert og["og:image"].startswith(f"{settings.SITE_URL}/media/articles/renditions/") and og["og:image"].endswith(
        "/1200.jpg"
    )
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "675")
    assert og["og:image:alt"] == "The sun rising over green hills."
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["image"] == {"@type": "ImageObject", "url": og["og:image"], "width": 1200, "height": 675}


@pytest.mark.django_db(transaction=True)
def test_it_shows_an_image_added_to_the_text_on_the_cached_page_at_once(client, article):
    assert "<picture>" not in client.get(article.get_absolute_url()).content.decode()  # now cached

    image = ArticleImage.objects.create(article=article, name="timeline", image=photo(), alt="A chart of symptoms")
    assert 'alt="A chart of symptoms"' in client.get(article.get_absolute_url()).content.decode()

    image.delete()
    assert "<picture>" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_gives_demo_articles_drawn_heroes_and_the_heroin_article_its_timeline_chart(client):
    seed_demo_articles(None)

    with_heroes = Article.objects.exclude(hero_image="")
    assert with_heroes.count() == 4
    for article in with_heroes:
        assert article.hero_alt.startswith("Illustration:") and article.hero_renditions["files"]["image/jpeg"]
    heroin = Article.objects.get(slug="heroin-withdrawal-timeline")
    page = client.get(heroin.get_absolute_url()).content.decode()
    assert f'alt="{TIMELINE_ALT}"' in page and "A rough guide, not a schedule" in page
    assert page.count("<picture>") == 2


def site_share_image(request) -> dict:
    """What a site-wide context processor (the centre's) is expected to offer: the default og_image."""
    return {
        "og_image": {
            "url": f"{settings.SITE_URL}/media/centre/share.jpg",
            "width": 1200,
            "height": 630,
            "alt": "Our centre",
        }
    }


@pytest.mark.django_db
def test_it_previews_an_article_without_a_hero_with_the_sites_default_share_image(client, article, settings):
    engine = settings.TEMPLATES[0]
    processors = [*engine["OPTIONS"]["context_processors"], f"{__name__}.site_share_image"]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}]
    with_hero = make_article(
        article.category, article.reviewer, 2, hero_image=photo(name="hero.jpg"), hero_alt="Hills at sunrise."
    )

    parsed, parsed_hero = _Pictures(), _Pictures()
    parsed.feed(client.get(article.get_absolute_url()).content.decode())
    parsed_hero.feed(client.get(with_hero.get_absolute_url()).content.decode())

    assert parsed.meta["og:image"] == f"{settings.SITE_URL}/media/centre/share.jpg"
    assert parsed.meta["og:image:alt"] == "Our centre"
    assert (
        parsed_hero.meta["og:image"].endswith("/1200.jpg") and parsed_hero.meta["og:image:alt"] == "Hills at sunrise."
    )


def rendition_files(record: dict) -> list[str]:
    return [name for files in record["files"].values() for *_, name in files]


@pytest.mark.django_db(transaction=True)
def test_it_shows_an_image_brought_back_by_history_revert_with_working_copies(client, withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, body="## Timeline\n\n![](image:timeline)\n")
    image = ArticleImage.objects.create(article=article, name="timeline", image=photo(), alt="A chart of symptoms")
    copies = rendition_files(image.renditions)
    image.delete()
    assert not any(on_disk(name).exists() for name in copies)  # removed once the deletion is final

    # What reversion's revert does: the row comes back as it was, without ArticleImage.save().
    ArticleImage.save_base(image, raw=True)
    article.approve(by=reviewer.user)  # the version with the image, as its reviewer had approved it
    Article.objects.get(pk=article.pk).save()  # the admin then saves the reverted article

    page = client.get(article.get_absolute_url()).content.decode()
    shown = re.findall(r"/media/(articles/renditions/[^ \"]+)", page)
    assert shown and all(on_disk(name).exists() for name in shown)


@pytest.mark.django_db
def test_it_keeps_an_images_copies_when_its_deletion_is_rolled_back(article):
    from django.db import transaction

    image = ArticleImage.objects.create(article=article, name="timeline", image=photo(), alt="A chart of symptoms")
    with pytest.raises(RuntimeError), transaction.atomic():
        image.delete()
        raise RuntimeError("the admin's save failed later on")
    assert all(on_disk(name).exists() for name in rendition_files(image.renditions))


@pytest.mark.django_db
def test_it_gives_a_hero_uploaded_before_responsive_copies_existed_its_copies_on_first_view(client, article):
    stored = photo(name="old-hero.jpg")
    from django.core.files.storage import default_storage

    name = default_storage.save("articles/heroes/old-hero.jpg", stored)
    Article.objects.filter(pk=article.pk).update(hero_image=name, hero_alt="Hills at sunrise.", hero_renditions={})

    page = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Hills at sunrise."' in page and "articles/renditions/heroes/old-hero.jpg/" in page
    assert Article.objects.get(pk=article.pk).hero_renditions["files"]
