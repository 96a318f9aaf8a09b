"""The article page's table of contents, and what markup an editor can and cannot put on it."""

import re
from html.parser import HTMLParser

import pytest

from articles.demo import demo_articles
from articles.rendering import render_markdown, table_of_contents
from articles.renditions import Picture

from .test_articles import make_article

HEROIN = next(article for article in demo_articles() if article["slug"] == "heroin-withdrawal-timeline")


class _Contents(HTMLParser):
    """The "On this page" list as a reader meets it: [(title, [sub-titles])], and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[tuple[str, list[str]]] = []
        self.links: list[str] = []
        self.depth = 0
        self.inside = False
        self.text: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-labelledby") == "toc-title":
            self.inside = True
        elif self.inside and tag == "ol":
            self.depth += 1
        elif self.inside and tag == "a":
            self.links.append(attrs["href"])
            self.text = ""

    def handle_endtag(self, tag):
        if self.inside and tag == "ol":
            self.depth -= 1
            self.inside = self.depth > 0
        elif self.inside and tag == "a":
            if self.depth == 1:
                self.sections.append((self.text, []))
            else:
                self.sections[-1][1].append(self.text)
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text += data


def contents_of(page: str) -> _Contents:
    parser = _Contents()
    parser.feed(page)
    return parser


@pytest.mark.django_db
def test_it_numbers_the_heroin_article_contents_with_the_four_stages_nested_under_the_timeline(
    client, withdrawal, reviewer
):
    article = make_article(withdrawal, reviewer, body=HEROIN["body"], slug=HEROIN["slug"], title=HEROIN["title"])

    contents = contents_of(client.get(article.get_absolute_url()).content.decode())

    assert [title for title, _ in contents.sections] == [
        "Why withdrawal happens",
        "Is opioid withdrawal dangerous?",
        "The timeline, stage by stage",
        "Fentanyl can change the picture",
        "How medical detox helps",
        "When to get help right away",
        "You do not have to do this alone",
    ]
    assert contents.sections[2][1] == [
        "Stage 1: The first day",
        "Stage 2: The hardest days",
        "Stage 3: Turning a corner",
        "Stage 4: The weeks that follow",
    ]
    assert all(not subs for index, (_, subs) in enumerate(contents.sections) if index != 2)
    numbers = [(entry.number, [sub.number for sub in entry.children]) for entry in article.toc]
    assert numbers[2] == ("3", ["3.1", "3.2", "3.3", "3.4"]) and numbers[3] == ("4", [])
    # The ids the links point at are the ones they always were: old shared links keep working.
    assert "#the-timeline-stage-by-stage" in contents.links and "#stage-1-the-first-day" in contents.links
    body_ids = re.findall(r'<h[23] id="([^"]+)"', article.body_html)
    assert contents.links == [f"#{anchor}" for anchor in body_ids]


@pytest.mark.parametrize("demo", demo_articles(), ids=lambda demo: demo["slug"])
def test_it_puts_every_sub_heading_of_every_demo_article_under_its_own_section(demo):
    body = render_markdown(demo["body"])
    toc = table_of_contents(body)

    assert [entry.number for entry in toc] == [str(n) for n in range(1, body.count("<h2") + 1)]
    assert sum(len(entry.children) for entry in toc) == body.count("<h3")
    for entry in toc:
        expected = [f"{entry.number}.{n}" for n in range(1, len(entry.children) + 1)]
        assert [sub.number for sub in entry.children] == expected


def test_it_leaves_out_a_headings_own_number_since_the_list_numbers_it():
    intake = next(article for article in demo_articles() if article["slug"] == "what-to-expect-at-detox-intake")
    toc = table_of_contents(render_markdown(intake["body"]))

    steps = next(entry for entry in toc if entry.title == "Step by step: what happens at intake")
    assert steps.children[0].title == "Welcome and paperwork"
    assert steps.children[0].id == "1-welcome-and-paperwork"  # the heading and its id are untouched


def test_it_gives_a_sub_heading_that_comes_before_any_section_a_place_of_its_own():
    toc = table_of_contents(render_markdown("### Before you read\n\nA note.\n\n## First\n\n### Inside\n\n## Second\n"))

    assert [(entry.number, entry.title, [sub.title for sub in entry.children]) for entry in toc] == [
        ("1", "Before you read", []),
        ("2", "First", ["Inside"]),
        ("3", "Second", []),
    ]


class _Chart:
    caption = "Timing varies"
    picture = Picture(
        sources=[{"type": "image/avif", "srcset": "/media/articles/renditions/c/480.avif 480w"}],
        src="/media/articles/renditions/c/480.jpg",
        srcset="/media/articles/renditions/c/480.jpg 480w",
        width=480,
        height=270,
        alt="A chart of symptoms over time",
        sizes="100vw",
    )


@pytest.mark.parametrize(
    "markdown",
    [
        '<img src="x" onerror="alert(1)">',
        '<picture><source srcset="https://evil.example/a.avif"><img src="https://evil.example/a.jpg"></picture>',
        "![a tracking pixel](https://evil.example/pixel.png)",
        '<script>alert("x")</script><style>body{display:none}</style>',
        '<a href="javascript:alert(1)">click</a><iframe src="https://evil.example"></iframe>',
    ],
)
def test_it_strips_images_and_unsafe_markup_written_by_hand_even_where_uploaded_images_are_shown(markdown):
    html = render_markdown(f"![](image:chart)\n\n{markdown}\n", {"chart": _Chart()})

    # Exactly the one picture the renderer placed, with no other <img>, <source> or <picture>.
    assert html.count("<picture>") == 1 and html.count("<img ") == 1 and html.count("<source ") == 1
    assert "evil.example" not in html and "onerror" not in html and "alert" not in html
    assert "<script" not in html and "<style" not in html and "<iframe" not in html and "javascript:" not in html


def test_it_places_an_uploaded_image_as_a_captioned_figure_and_shows_nothing_for_an_unknown_name():
    html = render_markdown(
        "Before.\n\n![](image:chart)\n\n![](image:no-such-image)\n\nIn code: `![](image:chart)`\n", {"chart": _Chart()}
    )

    assert html.count("<figure") == 1
    assert '<figcaption class="figure-caption">Timing varies</figcaption>' in html
    assert 'alt="A chart of symptoms over time"' in html
    assert "no-such-image" not in html and "<code>![](image:chart)</code>" in html
    assert "lanternimage" not in html  # no placeholder is ever left on the page


@pytest.mark.parametrize("images", [{"chart": _Chart()}, {}], ids=["uploaded", "not-uploaded"])
def test_it_never_tells_the_editor_an_image_reference_was_removed_but_still_names_a_hand_written_img(images):
    from articles.sanitiser_report import removed_markup

    text = "Before.\n\n![](image:chart)\n\nA chart inline ![a chart](image:chart) too.\n"
    assert "<img" in render_markdown(text, images) or not images
    assert removed_markup(text) == []

    pasted = text + '\n<img src="https://evil.example/a.jpg">\n'
    assert "evil.example" not in render_markdown(pasted, images)
    assert removed_markup(pasted) == ["<img> element"]
