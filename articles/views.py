from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy, override
from django.views.generic import DetailView, ListView

from config.absolute import absolute_url
from intake.forms import ArticleCallbackForm
from intake.models import Language

from .cache import CachedPageMixin
from .models import Article, ArticleRedirect, Category
from .renditions import largest_jpeg
from .search import indexed_search


def shown_language() -> str:
    """The language of the page being served (the path's: /es/... is Spanish)."""
    return Language.SPANISH if (get_language() or "").startswith("es") else Language.ENGLISH


def in_each_language(name: str, *args) -> dict[str, str]:
    """One page's address in every language, for the language switch and hreflang."""
    pages = {}
    for code, _ in Language.choices:
        with override(code):
            pages[code] = reverse(name, args=args)
    return pages


class ArticleListView(CachedPageMixin, ListView):
    """Every live article, or a category's, newest first; `?q=` searches them."""

    template_name = "articles/list.html"

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        # Only a real page number makes a page of its own (?page=01, ?page=abc and ?page=1 are
        # one page): random numbers cannot fill the cache.
        asked = request.GET.get("page", "")
        self.page_number = max(int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 5 else 1, 1)
        # NUL can't reach PostgreSQL (and means nothing in a search anyway).
        self.query = request.GET.get("q", "").replace("\x00", "").strip()[:100]

    def get(self, request, *args, **kwargs):
        self.category = None
        if "category_slug" in kwargs:
            slug, language = kwargs["category_slug"], shown_language()
            self.category = get_object_or_404(Category.objects.filter(Q(slug=slug) | Q(slug_es=slug)))
            if slug != self.category.slug_in(language):
                # The other language's slug (a switched or shared link): this language's page.
                return HttpResponsePermanentRedirect(self.category.url_in(language))
        if not self.query:
            return super().get(request, *args, **kwargs)
        with indexed_search():  # every query of the page, rendering included
            return super().get(request, *args, **kwargs)

    def page_params(self) -> dict[str, str] | None:
        if self.query:
            return None  # every query would be a page of its own
        return {"page": str(self.page_number)} if self.page_number > 1 else {}

    def page_may_be_kept(self) -> bool:
        # A number past the last page is rendered (as the last page) but never stored.
        return self.page_shown == self.page_number

    def get_queryset(self):
        # Each language's pages list that language's articles only.
        articles = Article.objects.published().in_language(shown_language(), searched=bool(self.query))
        articles = articles.for_listing()
        if self.category:
            articles = articles.filter(category=self.category)
        # Kept for the page: what the query was read as ("Showing results for withdrawal").
        self.search = articles.understand(self.query, shown_language()) if self.query else None
        return articles.search(self.search) if self.search else articles

    def get_paginate_by(self, queryset) -> int:
        return settings.ARTICLES_PER_PAGE

    def paginate_queryset(self, queryset, page_size):
        # Lenient where ListView answers 404: a page number it cannot read is the first page,
        # one past the end the last.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.page_number)
        self.page_shown = page.number
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(
            category=self.category,
            categories=Category.objects.all(),
            query=self.query,
            search=self.search,
            canonical=absolute_url(self.request.path),
            page_translations=(
                {code: self.category.url_in(code) for code, _ in Language.choices}
                if self.category
                else in_each_language("articles:list")
            ),
            **kwargs,
        )
        if self.search and not context["page_obj"].paginator.count:
            # Nothing matched: the nearest articles instead, from every category.
            nearest = Article.objects.published().in_language(shown_language()).for_listing()
            context["suggestions"] = self.search.closest(nearest)
        return context


class ArticleDetailView(CachedPageMixin, DetailView):
    """An article as visitors see it; with `preview=True` (staff who may read it: editors, or the
    article's own reviewer), a draft or scheduled one exactly as the public will see it."""

    template_name = "articles/detail.html"
    preview = False

    def get_queryset(self):
        articles = Article.objects.published().in_language(shown_language())
        if self.preview:
            # Drafts are for the people who edit them (view_article) and for each article's own
            # medical reviewer; other staff (admissions, other reviewers) find nothing here.
            user = self.request.user
            articles = Article.objects.all()
            if not user.has_perm("articles.view_article"):
                articles = articles.filter(reviewer__user=user)
        related = ("category", "reviewer", "author", "translation_of")
        return articles.select_related(*related).prefetch_related("sources", "tags", "translations")

    def get(self, request, *args, **kwargs) -> HttpResponse:
        if self.preview:
            # Staff preview a Spanish article in Spanish: the page around it as visitors will see it.
            language = Article.objects.filter(pk=kwargs["pk"]).values_list("language", flat=True).first()
            with override(language or get_language()):
                return super().get(request, *args, **kwargs)
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.moved_to(kwargs.get("slug", ""))
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

    @staticmethod
    def moved_to(slug: str) -> Article | None:
        """Where a slug that is not this language's live article leads: a renamed article's old
        slug to its page (only on a miss, so an article that takes an old slug for itself is
        served, never redirected away), and the other language's slug to its published twin in
        this language, else to the article itself in its own language. A visitor who followed a
        link (or switched language) is after that article: its page, in the language it exists in,
        serves them better than a dead end, and its language switch offers the twin once there is
        one."""
        article = Article.objects.published().filter(slug=slug).first() or ArticleRedirect.objects.target_of(slug)
        if article is None:
            return None
        twin = article.live_twin
        return twin if twin and twin.language == shown_language() else article

    def get_context_data(self, **kwargs) -> dict:
        canonical = absolute_url(self.object.get_absolute_url())
        if image := share_image(self.object):
            # Without a hero the page keeps the site's default `og_image` (a context processor's).
            kwargs["og_image"] = image
        return super().get_context_data(
            related=list(self.object.related()),
            callback_form=ArticleCallbackForm(),
            preview=self.preview,
            canonical=canonical,
            json_ld=json_ld(self.object, canonical),
            page_translations=self.object.page_translations(),
            twin=self.object.live_twin,
            **kwargs,
        )


def share_image(article: Article) -> dict | None:
    """The hero's widest JPEG copy (1200 px where the original allows) for link previews: JPEG,
    since not every site that draws a preview reads AVIF."""
    copy = largest_jpeg(article.hero_renditions)
    if not copy:
        return None
    name, width, height = copy
    return {"url": absolute_url(default_storage.url(name)), "width": width, "height": height, "alt": article.hero_alt}


def json_ld(article: Article, canonical: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.meta_description,
        "url": canonical,
        "inLanguage": f"{article.language}-US",
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "about": {"@type": "Thing", "name": article.category.shown_name},
        "publisher": {"@type": "MedicalOrganization", "name": settings.CENTRE_NAME, "telephone": settings.CENTRE_PHONE},
        "citation": [
            {"@type": "CreativeWork", "name": source.title, "url": source.url,
             "publisher": {"@type": "Organization", "name": source.publisher}}
            for source in article.sources.all()
        ],
    }  # fmt: skip
    if article.reviewer:
        data["reviewedBy"] = {"@type": "Person", "name": article.reviewer.name}
        if article.reviewer.credentials:
            data["reviewedBy"]["honorificSuffix"] = article.reviewer.credentials
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author.get_full_name() or article.author.get_username()}
    if image := share_image(article):
        data["image"] = {"@type": "ImageObject", **{key: image[key] for key in ("url", "width", "height")}}
    return data


class ArticleFeed(Feed):
    """One feed per language (/articles/feed/, /es/articles/feed/), each of its own articles."""

    description = gettext_lazy("Educational articles about addiction, withdrawal, treatment and recovery.")

    def title(self) -> str:
        return gettext("%(centre)s: articles") % {"centre": settings.CENTRE_NAME}

    # Absolute addresses, so the feed never takes its host from the request.
    def link(self) -> str:
        return absolute_url(reverse("articles:list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("articles:feed"))

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def items(self):
        articles = Article.objects.published().in_language(shown_language())
        return articles.select_related("category").order_by("-publish_at")[:30]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_categories(self, item: Article):
        return [item.category.shown_name]
