"""What the public site says about the centre, edited by admins: one profile, its programmes,
accreditations and licences, team, insurance accepted and featured articles."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from intake.models import LevelOfCare

from .translated import Translated

# A link only: the visitor's own browser or map app opens it. No embed, no third-party script.
MAP_SEARCH_URL = "https://www.openstreetmap.org/search"
ALT_TEXT_HELP = "Describe the picture for people who cannot see it (required with a picture)."
SPANISH_HELP = "In Spanish, for the /es/ pages; the English is shown there while this is empty."


def default_centre_name() -> str:
    """A new profile starts with the name the deployment was configured with."""
    return settings.CENTRE_NAME


def require_alt_text(instance: models.Model, pairs: list[tuple[str, str]]) -> None:
    errors = {
        alt: "Describe the picture for people who cannot see it."
        for image, alt in pairs
        if getattr(instance, image) and not getattr(instance, alt).strip()
    }
    if errors:
        raise ValidationError(errors)


def alt_text_constraint(image: str, alt: str, name: str) -> models.CheckConstraint:
    """The database's own guard, for rows saved outside a form (a script, the shell)."""
    return models.CheckConstraint(condition=Q(**{image: ""}) | ~Q(**{alt: ""}), name=name)


class CentreProfileQuerySet(models.QuerySet):
    def current(self) -> "CentreProfile | None":
        """The one profile the public site shows (the admin allows no second)."""
        return self.order_by("pk").first()


class CentreProfile(Translated, models.Model):
    translated_fields = ("treats", "why_us", "phone_answered_by", "photo_alt", "share_image_alt")

    name = models.CharField(
        "public name", max_length=120, default=default_centre_name, help_text="Shown on every public page."
    )
    treats = models.CharField(
        "what the centre treats",
        max_length=200,
        help_text='Plain words that follow "We treat", e.g. "alcohol, opioid and other drug addiction".',
    )
    why_us = models.TextField(
        '"why us", in plain words',
        blank=True,
        help_text="A few short reasons to choose the centre, one per line. Say only what is true every day.",
    )
    treats_es = models.CharField("what the centre treats (Spanish)", max_length=200, blank=True, help_text=SPANISH_HELP)
    why_us_es = models.TextField('"why us" (Spanish)', blank=True, help_text=SPANISH_HELP)
    street_address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text='Two letters, e.g. "VT".')
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    phone_answered_by = models.TextField(
        "who answers the phone",
        help_text=(
            "An honest statement of who picks up when someone calls: the centre's own admissions team, "
            "not a call centre or a paid referral line. Change it if that ever stops being true."
        ),
    )
    phone_answered_by_es = models.TextField("who answers the phone (Spanish)", blank=True, help_text=SPANISH_HELP)
    # Width and height are kept on the row so the page reserves the photo's space without opening the file.
    photo = models.ImageField(
        "photo of the centre", upload_to="centre/", blank=True, width_field="photo_width", height_field="photo_height"
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField("photo description", max_length=200, blank=True, help_text=ALT_TEXT_HELP)
    photo_alt_es = models.CharField("photo description (Spanish)", max_length=200, blank=True, help_text=SPANISH_HELP)
    share_image = models.ImageField(
        upload_to="centre/",
        blank=True,
        help_text="Shown when someone shares a link to the site (og:image); about 1200 x 630 pixels.",
    )
    share_image_alt = models.CharField("share image description", max_length=200, blank=True, help_text=ALT_TEXT_HELP)
    share_image_alt_es = models.CharField(
        "share image description (Spanish)", max_length=200, blank=True, help_text=SPANISH_HELP
    )
    featured_articles = models.ManyToManyField(Article, through="FeaturedArticle", blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CentreProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "centre profile"
        constraints = [
            alt_text_constraint("photo", "photo_alt", "centre_photo_has_alt_text"),
            alt_text_constraint("share_image", "share_image_alt", "centre_share_image_has_alt_text"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        require_alt_text(self, [("photo", "photo_alt"), ("share_image", "share_image_alt")])

    @property
    def reasons(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.why_us.splitlines() if line.strip(" -•\t")]

    @property
    def address_lines(self) -> list[str]:
        town = " ".join(part for part in [f"{self.city}," if self.city else "", self.state, self.postal_code] if part)
        return [line for line in [self.street_address, town.strip(" ,")] if line]

    @property
    def map_url(self) -> str:
        """A search for the address on OpenStreetMap; empty without an address."""
        if not self.street_address:
            return ""
        return f"{MAP_SEARCH_URL}?{urlencode({'query': ', '.join(self.address_lines)})}"

    def live_featured_articles(self, language: str | None = None) -> list[Article]:
        """The featured articles visitors may read now, in the admins' order, each in `language`
        where its translation is published (else in its own, which the page marks)."""
        # Title, summary and reading time only: no category, tags or search column to fetch.
        live = Article.objects.published().filter(featuredarticle__profile=self).defer("body", "search_vector")
        live = live.prefetch_related("translations").select_related("translation_of")
        articles = list(live.order_by("featuredarticle__position", "-publish_at"))
        if language:
            articles = [_in_language(article, language) for article in articles]
        return list(dict.fromkeys(articles))


def _in_language(article: Article, language: str) -> Article:
    twin = article.live_twin if article.language != language else None
    return twin if twin is not None and twin.language == language else article


class InsurancePlan(Translated, models.Model):
    translated_fields = ("note",)

    profile = models.ForeignKey(CentreProfile, on_delete=models.CASCADE, related_name="insurance_plans")
    name = models.CharField("insurer or plan", max_length=120)
    note = models.CharField(max_length=200, blank=True, help_text='Optional, e.g. "most PPO plans".')
    note_es = models.CharField("note (Spanish)", max_length=200, blank=True, help_text=SPANISH_HELP)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "insurance accepted"
        verbose_name_plural = "insurance accepted"

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    class Kind(models.TextChoices):
        ACCREDITATION = "accreditation", _("Accreditation")
        LICENCE = "licence", _("State licence")
        CERTIFICATION = "certification", _("Certification")
        MEMBERSHIP = "membership", _("Membership")

    profile = models.ForeignKey(CentreProfile, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACCREDITATION)
    body = models.CharField("issued by", max_length=160, help_text="The accrediting body or the licensing agency.")
    number = models.CharField("number", max_length=60, blank=True, help_text="As printed on the certificate.")
    verification_url = models.URLField(
        "where to check it", blank=True, help_text="Optional: the issuer's public page where anyone can look it up."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "accreditation or licence"
        verbose_name_plural = "accreditations and licences"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body}"


class FeaturedArticle(models.Model):
    profile = models.ForeignKey(CentreProfile, on_delete=models.CASCADE)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, help_text="Only live articles are shown.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "featured article"
        constraints = [models.UniqueConstraint(fields=["profile", "article"], name="centre_article_featured_once")]

    def __str__(self) -> str:
        return str(self.article)


class ShownQuerySet(models.QuerySet):
    """For what admins can hide from the site without deleting it (a programme, a team member)."""

    def shown(self):
        return self.filter(shown=True)


class Programme(Translated, models.Model):
    translated_fields = ("name", "description", "who_for", "typical_length")

    level = models.CharField(
        "level of care", max_length=20, choices=LevelOfCare.choices, unique=True, help_text="One programme per level."
    )
    name = models.CharField(
        max_length=100, blank=True, help_text="Optional; the level of care's own name is shown when empty."
    )
    description = models.TextField("what it is", help_text="Two or three plain sentences, no jargon.")
    who_for = models.TextField("who it is for", help_text="Who this level suits, in plain words.")
    typical_length = models.CharField(
        max_length=100, blank=True, help_text='How long people usually stay, e.g. "5 to 7 days".'
    )
    name_es = models.CharField("name (Spanish)", max_length=100, blank=True, help_text=SPANISH_HELP)
    description_es = models.TextField("what it is (Spanish)", blank=True, help_text=SPANISH_HELP)
    who_for_es = models.TextField("who it is for (Spanish)", blank=True, help_text=SPANISH_HELP)
    typical_length_es = models.CharField("typical length (Spanish)", max_length=100, blank=True, help_text=SPANISH_HELP)
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    shown = models.BooleanField("shown on the site", default=True)

    objects = ShownQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "programme (level of care)"
        verbose_name_plural = "programmes (levels of care)"

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.name or self.get_level_display()

    @property
    def anchor(self) -> str:
        return f"programme-{self.level}"


class TeamMember(Translated, models.Model):
    translated_fields = ("role", "bio", "photo_alt")

    name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=120, blank=True, help_text='e.g. "MD, addiction medicine" or "LCSW".')
    role = models.CharField(max_length=120, help_text='What they do here, e.g. "Medical director".')
    bio = models.TextField("short bio", max_length=600, blank=True, help_text="Two or three sentences.")
    role_es = models.CharField("role (Spanish)", max_length=120, blank=True, help_text=SPANISH_HELP)
    bio_es = models.TextField("short bio (Spanish)", max_length=600, blank=True, help_text=SPANISH_HELP)
    photo = models.ImageField(upload_to="centre/team/", blank=True)
    photo_alt = models.CharField("photo description", max_length=200, blank=True, help_text=ALT_TEXT_HELP)
    photo_alt_es = models.CharField("photo description (Spanish)", max_length=200, blank=True, help_text=SPANISH_HELP)
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    shown = models.BooleanField("shown on the site", default=True)

    objects = ShownQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "team member"
        constraints = [alt_text_constraint("photo", "photo_alt", "centre_team_photo_has_alt_text")]

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def clean(self) -> None:
        require_alt_text(self, [("photo", "photo_alt")])
