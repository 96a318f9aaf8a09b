from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache

from config.absolute import absolute_url
from intake.forms import ArticleCallbackForm
from intake.permissions import staff_member_required

from . import cache
from .models import Article, Category


def search(articles, query: str):
    """Full-text search ranked title > summary > body on PostgreSQL; a plain match elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # The stored, indexed vector (migration 0002): @@ finds the matches through the index,
        # and only those are ranked.
        terms = SearchQuery(query, search_type="websearch", config="english")
        matches = articles.filter(search_vector=terms)
        return matches.annotate(rank=SearchRank(F("search_vector"), terms)).order_by("-rank", "-publish_at")
    matches = Q(title__icontains=query) | Q(summary__icontains=query) | Q(body__icontains=query)
    rank = Case(
        When(title__icontains=query, then=Value(3)),
        When(summary__icontains=query, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return articles.filter(matches).annotate(rank=rank).order_by("-rank", "-publish_at")


def article_list(request: HttpRequest, category_slug: str | None = None) -> HttpResponse:
    # Only a real page number makes a page of its own (?page=01, ?page=abc and ?page=1 are one
    # page); a number past the last page is rendered (as the last page) but never stored, so
    # random numbers cannot fill the cache. Search results are not cached at all: every query
    # would be a page of its own.
    asked = request.GET.get("page", "")
    page_number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 5 else 1
    page_number = max(page_number, 1)
    shown = []

    def render() -> str:
        articles = Article.objects.published().for_listing()
        category = None
        if category_slug:
            category = get_object_or_404(Category, slug=category_slug)
            articles = articles.filter(category=category)
        # NUL can't reach PostgreSQL (and means nothing in a search anyway).
        query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        if query:
            articles = search(articles, query)
        page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(page_number)
        shown.append(page.number)
        context = {
            "page": page,
            "category": category,
            "categories": Category.objects.all(),
            "query": query,
            "canonical": absolute_url(request.path),
        }
        return render_to_string("articles/list.html", context, request=request)

    if request.GET.get("q", "").strip():
        return cache.serve(request, render, store=False)
    params = {"page": str(page_number)} if page_number > 1 else {}
    return cache.serve(request, render, params=params, keep=lambda: shown == [page_number])


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def render() -> str:
        article = get_object_or_404(_with_relations(Article.objects.published()), slug=slug)
        return _render_article(request, article)

    return cache.serve(request, render)


@never_cache
@staff_member_required
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft or scheduled article exactly as the public will see it, for staff only."""
    article = get_object_or_404(_with_relations(Article.objects.all()), pk=pk)
    return HttpResponse(_render_article(request, article, preview=True))


def _with_relations(articles):
    return articles.select_related("category", "reviewer", "author").prefetch_related("sources", "tags")


def _render_article(request: HttpRequest, article: Article, preview: bool = False) -> str:
    canonical = absolute_url(article.get_absolute_url())
    context = {
        "article": article,
        "related": list(article.related()),
        "callback_form": ArticleCallbackForm(),
        "preview": preview,
        "canonical": canonical,
        "json_ld": json_ld(article, canonical, request),
    }
    return render_to_string("articles/detail.html", context, request=request)


def json_ld(article: Article, canonical: str, request: HttpRequest) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.meta_description,
        "url": canonical,
        "inLanguage": "en-US",
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "about": {"@type": "Thing", "name": article.category.name},
        "publisher": {"@type": "MedicalOrganization", "name": settings.CENTRE_NAME, "telephone": settings.CENTRE_PHONE},
        "citation": [
            {"@type": "CreativeWork", "name": source.title, "url": source.url,
             "publisher": {"@type": "Organization", "name": source.publisher}}
            for source in article.sources.all()
        ],
    }  # fmt: skip
    if article.reviewer:
        data["reviewedBy"] = {"@type": "Person", "name": article.reviewer_name}
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author.get_full_name() or article.author.get_username()}
    if article.hero_image:
        data["image"] = absolute_url(article.hero_image.url)
    return data


class ArticleFeed(Feed):
    title = f"{settings.CENTRE_NAME}: articles"
    description = "Educational articles about addiction, withdrawal, treatment and recovery."

    # Absolute addresses, so the feed never takes its host from the request.
    def link(self) -> str:
        return absolute_url(reverse("articles:list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("articles:feed"))

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def items(self):
        return Article.objects.published().select_related("category").order_by("-publish_at")[:30]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_categories(self, item: Article):
        return [item.category.name]


def feed(request: HttpRequest) -> HttpResponse:
    response = ArticleFeed()(request)
    return response

