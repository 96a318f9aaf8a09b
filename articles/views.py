from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, ListView

from config.absolute import absolute_url
from intake.forms import ArticleCallbackForm

from .cache import CachedPageMixin
from .models import Article, ArticleRedirect, Category
from .renditions import largest_jpeg
from .search import indexed_search


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
        articles = Article.objects.published().for_listing()
        self.category = None
        if "category_slug" in self.kwargs:
            self.category = get_object_or_404(Category, slug=self.kwargs["category_slug"])
            articles = articles.filter(category=self.category)
        # Kept for the page: what the query was read as ("Showing results for withdrawal").
        self.search = articles.understand(self.query) if self.query else None
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
            **kwargs,
        )
        if self.search and not context["page_obj"].paginator.count:
            # Nothing matched: the nearest articles instead, from every category.
            context["suggestions"] = self.search.closest(Article.objects.published().for_listing())
        return context


class ArticleDetailView(CachedPageMixin, DetailView):
    """An article as visitors see it; with `preview=True` (staff who may read it: editors, or the
    article's own reviewer), a draft or scheduled one exactly as the public will see it."""

    template_name = "articles/detail.html"
    preview = False

    def get_queryset(self):
        articles = Article.objects.published()
        if self.preview:
            # Drafts are for the people who edit them (view_article) and for each article's own
            # medical reviewer; other staff (admissions, other reviewers) find nothing here.
            user = self.request.user
            articles = Article.objects.all()
            if not user.has_perm("articles.view_article"):
                articles = articles.filter(reviewer__user=user)
        return articles.select_related("category", "reviewer", "author").prefetch_related("sources", "tags")

    def get(self, request, *args, **kwargs) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A renamed article's old address: permanently to its page (only on a miss, so an
            # article that takes an old slug for itself is served, never redirected away).
            moved = None if self.preview else ArticleRedirect.objects.target_of(kwargs.get("slug", ""))
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

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
