"""Original illustrations drawn in code for the demo site (never photos, never of real people):
the centre as a calm landscape with a house, team avatars as initials, and the share image."""

import io
import math
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Dusk colours, dark enough behind white initials for a contrast ratio above 4.5:1.
AVATAR_COLOURS = [(31, 95, 139), (46, 94, 78), (122, 62, 98), (140, 76, 28)]
SKY_TOP, SKY_BOTTOM = (36, 59, 92), (245, 196, 140)
GLOW = (255, 214, 120)


def _vertical_gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def _hills(draw: ImageDraw.ImageDraw, width: int, height: int, rng: random.Random) -> None:
    """Three layers of rolling hills, lighter in the distance."""
    for layer, colour in enumerate([(96, 120, 128), (70, 104, 92), (44, 78, 64)]):
        base = height * (0.58 + 0.12 * layer)
        phase, amplitude = rng.uniform(0, math.tau), height * (0.05 - 0.01 * layer)
        points = [
            (x, base - amplitude * math.sin(x / width * math.tau * (1.2 + layer * 0.4) + phase))
            for x in range(0, width + 8, 8)
        ]
        draw.polygon([(0, height), *points, (width, height)], fill=colour)


def _lantern(draw: ImageDraw.ImageDraw, x: float, y: float, scale: float) -> None:
    """A small lantern: ring, cap, glowing glass, base."""
    s = scale
    draw.ellipse([x - 6 * s, y - 34 * s, x + 6 * s, y - 22 * s], outline=(40, 40, 40), width=max(1, round(2 * s)))
    draw.polygon([(x - 14 * s, y - 14 * s), (x, y - 24 * s), (x + 14 * s, y - 14 * s)], fill=(40, 40, 40))
    draw.rectangle(
        [x - 10 * s, y - 14 * s, x + 10 * s, y + 14 * s], fill=GLOW, outline=(40, 40, 40), width=max(1, round(2 * s))
    )
    draw.rectangle([x - 13 * s, y + 14 * s, x + 13 * s, y + 19 * s], fill=(40, 40, 40))


def centre_landscape(size: tuple[int, int] = (1200, 800), seed: int = 17) -> Image.Image:
    """A low house with lit windows among hills at dusk, a lantern by the door."""
    width, height = size
    rng = random.Random(seed)
    image = _vertical_gradient(size, SKY_TOP, SKY_BOTTOM)
    # A low evening sun, as a soft warm haze.
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).ellipse([width * 0.62, height * 0.18, width * 0.86, height * 0.5], fill=90)
    image.paste(Image.new("RGB", size, (255, 236, 200)), mask=glow.filter(ImageFilter.GaussianBlur(60)))
    draw = ImageDraw.Draw(image)
    _hills(draw, width, height, rng)
    # The house: a wide body, a pitched roof, a porch and warm windows.
    left, right, ground = width * 0.26, width * 0.74, height * 0.82
    top = ground - height * 0.22
    draw.rectangle([left, top, right, ground], fill=(232, 224, 210))
    draw.polygon(
        [(left - width * 0.03, top), ((left + right) / 2, top - height * 0.14), (right + width * 0.03, top)],
        fill=(120, 62, 48),
    )
    for i in range(5):
        wx = left + (right - left) * (0.1 + 0.18 * i)
        if i == 2:
            draw.rectangle([wx, top + height * 0.07, wx + width * 0.05, ground], fill=(92, 64, 44))
            continue
        draw.rectangle(
            [wx, top + height * 0.05, wx + width * 0.06, top + height * 0.13], fill=GLOW, outline=(92, 64, 44), width=4
        )
    _lantern(draw, left + (right - left) * 0.46, top + height * 0.09, scale=height / 900)
    draw.rectangle([0, ground, width, height], fill=(52, 88, 70))
    # A path to the door, narrowing into the distance.
    door_x = left + (right - left) * 0.39
    draw.polygon(
        [(door_x, ground), (door_x + width * 0.05, ground), (width * 0.58, height), (width * 0.42, height)],
        fill=(214, 196, 160),
    )
    return image.filter(ImageFilter.SMOOTH)


def initials_avatar(name: str, colour_index: int, size: int = 192) -> Image.Image:
    """A coloured disc with the person's initials: an illustration, clearly not a photo."""
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    colour = AVATAR_COLOURS[colour_index % len(AVATAR_COLOURS)]
    image = Image.new("RGB", (size, size), (246, 241, 233))
    draw = ImageDraw.Draw(image)
    draw.ellipse([0, 0, size - 1, size - 1], fill=colour)
    font = ImageFont.load_default(size=round(size * 0.38))
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    return image


def share_picture(name: str, size: tuple[int, int] = (1200, 630)) -> Image.Image:
    """The landscape at link-preview proportions, the centre's name in the dark of the sky."""
    image = centre_landscape(size)
    font = ImageFont.load_default(size=round(size[1] * 0.09))
    ImageDraw.Draw(image).text((size[0] * 0.05, size[1] * 0.1), name, fill=(255, 255, 255), font=font, anchor="lm")
    return image


def jpeg(image: Image.Image, quality: int = 78) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def jpeg_file(image: Image.Image, name: str, quality: int = 78) -> ContentFile:
    """A JPEG ready for an ImageField. Named: Django fills the width and height fields only
    for a file with a name."""
    return ContentFile(jpeg(image, quality), name=name)
