"""The centre's story as visitors, admins and search engines see it: the home page, /programmes/,
their JSON-LD and link previews, the admin that edits them, and the demo that fills them."""

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.demo import seed_demo_articles
from articles.models import Article
from centre import pictures
from centre.demo import seed_demo_centre
from centre.models import CentreProfile, Credential, FeaturedArticle, Programme, TeamMember
from intake.views import server_error


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])


def og(html: str, prop: str) -> str:
    return re.search(rf'<meta property="{prop}" content="([^"]*)">', html)[1]


def main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def make_article(category, reviewer, n: int, **fields) -> Article:
    """A live article (or a draft / scheduled one), as they go live for real: approved first."""
    defaults = {
        "title": f"Article {n}",
        "slug": f"article-{n}",
        "summary": f"Summary {n}",
        "body": "## Part one\n\n" + "word " * 450,
        "category": category,
        "reviewer": reviewer,
        "publish_at": timezone.now() - dt.timedelta(days=n),
    }
    wanted = {**defaults, **fields}
    status = wanted.pop("status", Article.Status.PUBLISHED)
    article = Article.objects.create(**wanted)
    if status == Article.Status.PUBLISHED:
        article.approve(by=reviewer.user)
        article.status = status
        article.save()
    return article


def profile_form(profile: CentreProfile, **changes) -> dict:
    """The admin's change form as the browser sends it, inlines untouched."""
    data = {
        field: getattr(profile, field)
        for field in ["name", "treats", "why_us", "street_address", "city", "state", "postal_code"]
    }
    data |= {"phone_answered_by": profile.phone_answered_by, "photo_alt": profile.photo_alt, "share_image_alt": ""}
    for prefix in ["insurance_plans", "credentials", "featuredarticle_set"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    return data | changes


# --- Visitors -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_tells_visitors_who_the_centre_is_and_what_it_offers_on_the_home_page(client, profile):
    html = client.get("/").content.decode()
    body = main(html)

    assert re.search(r'<h1 id="home-title"[^>]*>Harbour House Recovery</h1>', body)
    assert "We treat alcohol and opioid addiction." in body
    assert "Our own admissions team answers, here at the centre. We are not a call centre." in body
    assert "Nurses on site day and night." in body and "One team from detox to outpatient care." in body
    # Programmes with their plain words, linking to their place on /programmes/.
    assert 'href="/programmes/#programme-detox"' in body and "Medical care while alcohol leaves your body." in body
    assert "Intensive outpatient (IOP)" in body and "Not offered this year." not in body
    # Where, with a link (never an embed) to a map site built from the address.
    assert "12 Pine Street" in body and "Burlington, VT 05401" in body
    assert 'href="https://www.openstreetmap.org/search?query=12+Pine+Street%2C+Burlington%2C+VT+05401"' in body
    assert "<iframe" not in html
    assert re.search(r'<img [^>]*src="/media/centre/house[^"]*\.jpg" alt="The front porch of Harbour House"', body)
    assert "State licence: Vermont Department of Health, number VT-TEST-42" in body
    assert 'href="https://licences.example.org/VT-TEST-42"' in body
    assert "Ada Brook, MD" in body and "Medical director" in body and "Hidden Person" not in body
    assert body.index("Aetna") < body.index("Cigna") and "(most plans)" in body


@pytest.mark.django_db
def test_it_explains_each_shown_programme_with_a_way_to_ask(client, profile):
    html = client.get("/programmes/").content.decode()
    body = main(html)

    detox = body.split('id="programme-detox"', 1)[1].split("</section>", 1)[0]
    assert "Medical care while alcohol leaves your body." in detox
    assert "People who feel sick when they stop drinking." in detox
    assert "5 to 7 days" in detox
    assert 'href="/callback/"' in detox and "Ask us about Detox" in detox
    assert 'id="programme-iop"' in body and 'id="programme-residential"' not in body
    assert body.index("programme-detox-title") < body.index("programme-iop-title")


@pytest.mark.django_db
def test_it_shows_only_live_featured_articles_in_the_admins_order_with_their_reading_time(
    client, profile, category, reviewer
):
    second = make_article(category, reviewer, 1, title="What detox feels like")
    first = make_article(category, reviewer, 2, title="Paying for treatment")
    draft = make_article(category, reviewer, 3, title="A draft nobody may see", status=Article.Status.DRAFT)
    later = make_article(category, reviewer, 4, title="Out next week", publish_at=timezone.now() + dt.timedelta(days=7))
    for position, article in enumerate([first, second, draft, later]):
        FeaturedArticle.objects.create(profile=profile, article=article, position=position)

    body = main(client.get("/").content.decode())

    assert body.index("Paying for treatment") < body.index("What detox feels like")
    assert f'href="{first.get_absolute_url()}"' in body
    assert f"· {first.reading_minutes} min read" in body
    assert "A draft nobody may see" not in body and "Out next week" not in body


@pytest.mark.django_db
def test_it_still_offers_a_call_and_the_crisis_lines_before_any_profile_is_written(client, settings):
    settings.CENTRE_NAME = "Harbor Light Recovery"
    response = client.get("/")
    body = main(response.content.decode())

    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Harbor Light Recovery</h1>", body)
    assert 'href="tel:+18005550142"' in body and 'href="tel:988"' in body and 'href="tel:911"' in body
    assert client.get("/programmes/").status_code == 200


# --- Search engines and link previews --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/programmes/"])
def test_it_describes_the_clinic_its_programmes_credentials_and_team_in_json_ld(client, profile, settings, path):
    settings.SITE_URL = "https://www.harbourhouse.example"
    html = client.get(path).content.decode()
    data = json_ld(html)

    assert data["@type"] == "MedicalClinic" and data["name"] == "Harbour House Recovery"
    assert data["url"] == "https://www.harbourhouse.example/" and data["telephone"] == "+18005550142"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 Pine Street",
        "addressLocality": "Burlington",
        "addressRegion": "VT",
        "postalCode": "05401",
        "addressCountry": "US",
    }
    assert [(s["@type"], s["name"]) for s in data["availableService"]] == [
        ("MedicalTherapy", "Detox"),
        ("MedicalTherapy", "Intensive outpatient (IOP)"),
    ]
    assert data["hasCredential"][0]["identifier"] == "VT-TEST-42"
    assert data["hasCredential"][0]["recognizedBy"]["name"] == "Vermont Department of Health"
    # Names and credentials only: no bios, no photos, nobody hidden.
    assert data["employee"] == [{"@type": "Person", "name": "Ada Brook", "honorificSuffix": "MD"}]
    assert data["logo"] == "https://www.harbourhouse.example/static/img/logo.svg"
    assert data["image"].startswith("https://www.harbourhouse.example/media/centre/house")
    assert og(html, "og:image").startswith("https://www.harbourhouse.example/media/centre/house")
    assert og(html, "og:image:alt") == "The front porch of Harbour House"
    assert og(html, "og:url") == f"https://www.harbourhouse.example{path}"


@pytest.mark.django_db(transaction=True)
def test_it_shares_the_share_image_and_falls_back_to_its_own_picture_without_a_profile(client, profile, settings):
    settings.SITE_URL = "https://www.harbourhouse.example"
    assert og(client.get("/").content.decode(), "og:image").endswith(".jpg")
    share = pictures.jpeg(pictures.share_picture("H"))
    profile.share_image.save("share.jpg", SimpleUploadedFile("share.jpg", share), save=False)
    profile.share_image_alt = "Harbour House at dusk"
    profile.save()
    html = client.get("/programmes/").content.decode()
    assert re.fullmatch(r"https://www\.harbourhouse\.example/media/centre/share[^/]*\.jpg", og(html, "og:image"))

    CentreProfile.objects.all().delete()
    html = client.get("/").content.decode()
    assert og(html, "og:image") == "https://www.harbourhouse.example/static/img/share.jpg"
    assert json_ld(html)["name"] == settings.CENTRE_NAME


@pytest.mark.django_db
def test_it_keeps_a_script_tag_typed_into_the_profile_inside_the_json_ld(client, profile):
    profile.name = "Harbour </script><script>alert(1)</script>"
    profile.save()
    html = client.get("/").content.decode()

    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "Harbour </script><script>alert(1)</script>"


@pytest.mark.django_db
def test_it_lists_the_programmes_page_in_the_sitemap(client):
    assert "/programmes/</loc>" in client.get("/sitemap.xml").content.decode()


# --- Admins ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_shows_an_admins_edit_on_the_home_page_and_every_page_at_once(client, profile, staff):
    from django.test import Client

    visitor = Client()
    assert visitor.get("/")["X-Cache"] == "miss"
    assert visitor.get("/")["X-Cache"] == "hit"
    assert "Harbour House Recovery" in visitor.get("/articles/").content.decode()

    client.force_login(staff["admin"])
    response = client.post(
        f"/admin/centre/centreprofile/{profile.pk}/change/",
        profile_form(profile, name="Harbour House", treats="alcohol, opioid and stimulant addiction"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    home = visitor.get("/")
    html = home.content.decode()
    assert home["X-Cache"] == "miss"
    assert "We treat alcohol, opioid and stimulant addiction." in html
    assert "Harbour House Recovery" not in html and json_ld(html)["name"] == "Harbour House"
    assert "Harbour House Recovery" not in visitor.get("/articles/").content.decode()
    assert "Harbour House Recovery" not in visitor.get("/callback/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_takes_a_new_programme_onto_the_cached_pages_as_soon_as_it_is_saved(client, profile):
    assert "Outpatient" not in main(client.get("/programmes/").content.decode())
    assert client.get("/programmes/")["X-Cache"] == "hit"
    Programme.objects.create(level="outpatient", description="Weekly sessions.", who_for="Anyone stepping down.")
    response = client.get("/programmes/")
    assert response["X-Cache"] == "miss" and "Weekly sessions." in response.content.decode()


@pytest.mark.django_db
def test_it_keeps_one_profile_and_sends_the_admin_straight_to_it(client, profile, staff):
    client.force_login(staff["admin"])
    response = client.get("/admin/centre/centreprofile/")
    assert response.status_code == 302 and response["Location"].endswith(f"/centreprofile/{profile.pk}/change/")
    assert client.get("/admin/centre/centreprofile/add/").status_code == 403
    page = client.get(response["Location"]).content.decode()
    assert "Who answers the phone" in page and "not a call centre or a paid referral line" in page


@pytest.mark.django_db
def test_it_refuses_a_picture_without_a_description(client, profile, staff):
    client.force_login(staff["admin"])
    response = client.post(f"/admin/centre/centreprofile/{profile.pk}/change/", profile_form(profile, photo_alt=""))
    assert response.status_code == 200
    assert "Describe the picture for people who cannot see it." in response.content.decode()

    member = TeamMember(name="No Alt", role="Nurse")
    avatar = pictures.jpeg(pictures.initials_avatar("No Alt", 1))
    member.photo.save("x.jpg", SimpleUploadedFile("x.jpg", avatar), save=False)
    with pytest.raises(IntegrityError):
        member.save()


# --- When things fail, and what pages cost ------------------------------------------------------------


@pytest.mark.django_db
def test_it_shows_the_error_page_from_settings_alone_whatever_the_profile_says(rf, profile, settings):
    with CaptureQueriesContext(connection) as queries:
        response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and not queries.captured_queries
    assert settings.CENTRE_NAME in html and "Harbour House Recovery" not in html
    assert 'href="tel:+18005550142"' in html


@pytest.mark.django_db
def test_it_reads_the_centre_name_from_the_cache_not_the_database_on_other_pages(client, profile):
    assert "Harbour House Recovery" in client.get("/callback/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/privacy/").content.decode()
    assert "Harbour House Recovery" in html
    assert not [q for q in queries.captured_queries if "centre_" in q["sql"]]


# --- Demo content ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_seeds_a_demo_centre_once_and_leaves_an_admins_edits_alone(client, media_root, settings):
    seed_demo_articles(sender=None)
    assert seed_demo_centre(sender=None) == "Created the demo centre profile, programmes and team"
    profile = CentreProfile.objects.get()
    profile.treats = "alcohol addiction only"
    profile.save()

    assert seed_demo_centre(sender=None) is None
    assert CentreProfile.objects.get().treats == "alcohol addiction only"
    assert Programme.objects.count() == 5 and Credential.objects.count() == 2
    assert 3 <= TeamMember.objects.count() <= 4 and profile.insurance_plans.count() >= 3
    assert all("DEMO" in number for number in Credential.objects.values_list("number", flat=True))
    assert len(profile.live_featured_articles()) == 3
    assert (media_root / "centre" / "centre.jpg").exists()

    body = main(client.get("/").content.decode())
    assert profile.name == settings.CENTRE_NAME and "Partial hospitalization (PHP)" in body
    for member in TeamMember.objects.all():
        assert f'src="{member.photo.url}" alt="{member.photo_alt}"' in body
        assert client.get(member.photo.url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_lets_an_admin_hide_a_team_member_from_the_list_and_the_home_page_follows(client, profile, staff):
    from django.test import Client

    visitor = Client()
    assert "Ada Brook" in visitor.get("/").content.decode()
    ada = TeamMember.objects.get(name="Ada Brook")
    hidden = TeamMember.objects.get(name="Hidden Person")
    client.force_login(staff["admin"])
    assert 'name="form-0-shown"' in client.get("/admin/centre/teammember/").content.decode()

    rows = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "form-MAX_NUM_FORMS": "1000", "_save": "Save"}
    for n, member in enumerate([ada, hidden]):
        rows |= {f"form-{n}-id": str(member.pk), f"form-{n}-position": str(n)}  # shown: unticked for both
    assert client.post("/admin/centre/teammember/", rows).status_code == 302

    assert "Ada Brook" not in visitor.get("/").content.decode()
    assert client.get("/admin/centre/programme/").status_code == 200
