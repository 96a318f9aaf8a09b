"""Images inside an article's text, uploaded beside it and placed by a short name."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction

from ..renditions import Picture, picture, prepare, renditions_for, validate_article_image
from .article import Article

# Body images sit below the title, the call to action and the contents: never in the first screen.
BODY_SIZES = "(min-width: 768px) 42rem, calc(100vw - 1.5rem)"
# Words that tell a listener nothing about what the image shows.
EMPTY_ALT = {"image", "picture", "photo", "graphic", "img", "chart", "illustration", "figure"}


class ArticleImage(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    name = models.SlugField(
        "short name",
        max_length=60,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", "Use lower-case letters, digits and hyphens.")],
        help_text="Place it in the text on a line of its own as ![](image:short-name).",
    )
    image = models.ImageField(
        upload_to="articles/images/",
        validators=[validate_article_image],
        help_text="JPEG, PNG or WebP, up to 10 MB. Location and camera details are removed.",
    )
    alt = models.CharField(
        "alt text",
        max_length=500,
        help_text="What the image shows, for people who can't see it (read aloud by screen readers).",
    )
    caption = models.CharField(max_length=300, blank=True, help_text="Optional; shown under the image.")
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["article", "name"], name="article_image_name_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        prepare(self.image)
        self.renditions = renditions_for(self.image, self.renditions)
        # One transaction: cached pages are retired (articles/signals.py) after the text shows it.
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.article.show_body_images()

    def delete(self, *args, **kwargs):
        renditions = self.renditions
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.article.show_body_images()
            # The copies go once the deletion is final: a rolled-back delete keeps a working image.
            transaction.on_commit(lambda: renditions_for(None, renditions))
        return result

    def ensure_renditions(self) -> None:
        """Make the copies again when some are missing (a row restored by History's revert comes
        back without calling save(), after its copies were removed with it)."""
        record = renditions_for(self.image, self.renditions)
        if record != self.renditions:
            self.renditions = record
            ArticleImage.objects.filter(pk=self.pk).update(renditions=record)

    def clean(self) -> None:
        alt = self.alt.strip().lower()
        if alt and (alt.rstrip(".") in EMPTY_ALT or alt == (self.image.name or "").rsplit("/", 1)[-1].lower()):
            raise ValidationError({"alt": "Say what the image shows, as you would to someone on the phone."})

    @property
    def picture(self) -> Picture | None:
        return picture(self.renditions, self.alt, sizes=BODY_SIZES, lazy=True)
