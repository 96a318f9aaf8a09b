"""Images for the demo articles, drawn here with Pillow when `seed_demo` runs (nothing downloaded).

Calm, wordless landscapes for four articles' heroes, and one chart for the heroin withdrawal
article's text. They are uploaded through the same models an admin uses, so they are cleaned and
get their renditions exactly as an admin's upload would.
"""

import io
import math
from collections.abc import Callable

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .models import Article, ArticleImage

SIZE = (1600, 900)
Colour = tuple[int, int, int]


def _sky(top: Colour, bottom: Colour, size: tuple[int, int] = SIZE) -> Image.Image:
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        t = y / (size[1] - 1)
        draw.line([(0, y), (size[0], y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def _glow(image: Image.Image, centre: tuple[int, int], radius: int, colour: Colour) -> None:
    """A sun or moon with a soft halo."""
    halo = Image.new("L", image.size, 0)
    ImageDraw.Draw(halo).ellipse(_box(centre, radius * 3), fill=110)
    image.paste(colour, mask=halo.filter(ImageFilter.GaussianBlur(radius * 1.2)))
    ImageDraw.Draw(image).ellipse(_box(centre, radius), fill=colour)


def _box(centre: tuple[int, int], radius: int) -> tuple[int, int, int, int]:
    return centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius


def _ridge(image: Image.Image, base: int, height: int, waves: float, phase: float, colour: Colour) -> None:
    """A rolling line of hills filled down to the bottom edge."""
    width, bottom = image.size
    points = [
        (
            x,
            base
            - height * (0.6 * math.sin(waves * x / width * math.tau + phase) + 0.4 * math.sin(x / width * 7 + phase)),
        )
        for x in range(0, width + 20, 20)
    ]
    ImageDraw.Draw(image).polygon([*points, (width, bottom), (0, bottom)], fill=colour)


def sunrise_over_hills() -> Image.Image:
    image = _sky((54, 84, 128), (247, 190, 140))
    _glow(image, (1060, 560), 70, (255, 226, 170))
    for base, height, colour, phase in (
        (600, 60, (122, 128, 150), 0.4),
        (680, 70, (86, 112, 120), 1.9),
        (780, 80, (58, 92, 88), 3.1),
    ):
        _ridge(image, base, height, 1.4, phase, colour)
    return image.filter(ImageFilter.SMOOTH)


def path_through_meadow() -> Image.Image:
    image = _sky((120, 168, 200), (236, 228, 200))
    _glow(image, (800, 330), 60, (255, 244, 214))
    _ridge(image, 440, 40, 1.1, 0.8, (132, 160, 150))
    _ridge(image, 520, 30, 0.9, 2.2, (104, 148, 106))
    draw = ImageDraw.Draw(image)
    # A path that narrows as it winds towards the light on the horizon.
    left = [(560 + 260 * math.sin(t / 9) * (1 - t / 40) - 220 * (1 - t / 40), 900 - t * 10) for t in range(41)]
    right = [(x + 440 * (1 - t / 40) + 6, y) for t, (x, y) in enumerate(left)]
    draw.polygon([*left, *reversed(right)], fill=(226, 206, 160))
    return image.filter(ImageFilter.SMOOTH)


def two_trees_at_dusk() -> Image.Image:
    image = _sky((70, 72, 120), (236, 170, 150))
    _glow(image, (420, 600), 50, (255, 214, 170))
    _ridge(image, 700, 70, 0.7, 1.2, (70, 86, 96))
    draw = ImageDraw.Draw(image)
    for x, crown in ((930, 130), (1150, 110)):
        top = 720 - crown * 2
        draw.rectangle((x - 9, top + crown, x + 9, 720), fill=(48, 52, 60))
        draw.ellipse((x - crown, top - crown // 2, x + crown, top + crown + 40), fill=(56, 78, 74))
    return image.filter(ImageFilter.SMOOTH)


def still_lake_at_dawn() -> Image.Image:
    image = _sky((150, 170, 205), (250, 214, 180))
    _glow(image, (1180, 380), 55, (255, 236, 200))
    _ridge(image, 470, 50, 1.0, 0.3, (112, 130, 150))
    horizon = 500
    sky = image.crop((0, 0, SIZE[0], horizon))
    # The water mirrors the sky and hills, a little darker and softened.
    water = sky.transpose(Image.Transpose.FLIP_TOP_BOTTOM).resize((SIZE[0], SIZE[1] - horizon))
    water = Image.blend(water, Image.new("RGB", water.size, (60, 90, 120)), 0.3).filter(ImageFilter.GaussianBlur(3))
    image.paste(water, (0, horizon))
    draw = ImageDraw.Draw(image)
    # A few faint ripples, longer towards the viewer.
    for step, y in enumerate(range(horizon + 40, SIZE[1], 70)):
        half = 120 + step * 70
        draw.line([(1180 - half, y), (1180 + half // 2, y)], fill=(206, 216, 228), width=2)
    return image.filter(ImageFilter.SMOOTH)


def withdrawal_timeline_chart() -> Image.Image:
    """How symptoms typically build and fade, as the article describes it: an illustration of a
    rough course, with no scale on the vertical axis because there is no exact one."""
    width, height, left, right, top, bottom = 1200, 750, 40, 1170, 80, 560
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    small = ImageFont.load_default(size=32)
    stages = [
        ("Stage 1", "First day"),
        ("Stage 2", "Hardest days"),
        ("Stage 3", "Turning a corner"),
        ("Stage 4", "Weeks after"),
    ]
    band = (right - left) / len(stages)
    for index, (name, label) in enumerate(stages):
        x0 = left + index * band
        draw.rectangle((x0, top, x0 + band, bottom), fill=(244, 247, 250) if index % 2 else (232, 239, 245))
        draw.text((x0 + band / 2, bottom + 52), name, font=font, fill=(33, 37, 41), anchor="mm")
        draw.text((x0 + band / 2, bottom + 110), label, font=small, fill=(73, 80, 87), anchor="mm")
    points = [(left + t / 200 * (right - left), bottom - _strength(t / 200) * (bottom - top)) for t in range(201)]
    draw.polygon([*points, (right, bottom), (left, bottom)], fill=(190, 214, 232))
    draw.line(points, fill=(13, 94, 138), width=6, joint="curve")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=(33, 37, 41), width=3)
    draw.text((left, top - 24), "How strong symptoms feel", font=font, fill=(33, 37, 41), anchor="ls")
    return image


def _strength(t: float) -> float:
    """Rises through stage 1, peaks in stage 2, eases in stage 3, a low tail through stage 4."""
    return 0.85 * math.exp(-(((t - 0.36) / 0.15) ** 2)) + 0.1 / (1 + math.exp(-(t - 0.45) * 25))


HEROES: dict[str, tuple[Callable[[], Image.Image], str]] = {
    "heroin-withdrawal-timeline": (
        sunrise_over_hills,
        "Illustration: the sun rising over layers of soft blue-green hills under a peach-coloured sky.",
    ),
    "levels-of-care-explained": (
        path_through_meadow,
        "Illustration: a sandy path winding through green meadows towards a soft light on the horizon.",
    ),
    "supporting-a-loved-one": (
        two_trees_at_dusk,
        "Illustration: two trees standing side by side on a hill at dusk, the sun low behind them.",
    ),
    "alcohol-withdrawal-dangers": (
        still_lake_at_dawn,
        "Illustration: a still lake at dawn reflecting pale hills and a low, gentle sun.",
    ),
}
TIMELINE_ALT = (
    "Chart of how heroin withdrawal symptoms typically change over time. They start within about "
    "12 hours of the last use (stage 1), build to their strongest over the next few days (stage 2), "
    "then slowly fade (stage 3). For some people milder effects such as poor sleep, low mood or "
    "cravings last for weeks (stage 4)."
)


def _file(image: Image.Image, name: str, kind: str) -> ContentFile:
    out = io.BytesIO()
    image.save(out, format=kind, **({"quality": 90} if kind == "JPEG" else {}))
    return ContentFile(out.getvalue(), name=name)


def add_demo_images(article: Article) -> None:
    """Give a demo article its hero (and, for the heroin timeline, its chart) if it has one here."""
    if article.slug in HEROES:
        draw, alt = HEROES[article.slug]
        article.hero_image = _file(draw(), f"{article.slug}.jpg", "JPEG")
        article.hero_alt = alt
        article.save()
    if article.slug == "heroin-withdrawal-timeline":
        ArticleImage.objects.create(
            article=article,
            name="withdrawal-timeline",
            image=_file(withdrawal_timeline_chart(), "withdrawal-timeline.png", "PNG"),
            alt=TIMELINE_ALT,
            caption="A rough guide, not a schedule: timing varies from person to person.",
        )
