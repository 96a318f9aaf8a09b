"""What articles tell crawlers (config/sitemaps.py puts every app's entries together)."""

from config.absolute import PagesSitemap, SiteUrlSitemap

from .models import Article, Category


class ArticleListSitemap(PagesSitemap):
    """The list in each language (/articles/, /es/articles/), each naming the other."""

    pages = ["articles:list"]
    i18n = True
    alternates = True


class ArticleSitemap(SiteUrlSitemap):
    """Each published article once, at its own language's address (an article exists in the
    languages it was written in, not in every language), with its published twin as alternate."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        live = Article.objects.published().select_related("translation_of").prefetch_related("translations")
        return live.order_by("-publish_at", "pk")

    def lastmod(self, item: Article):
        return item.updated_at

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            pages = url["item"].page_translations()
            if len(pages) > 1:
                url["alternates"] = [
                    {"lang_code": code, "location": f"{protocol}://{domain}{path}"} for code, path in pages.items()
                ]
        return urls


class CategorySitemap(SiteUrlSitemap):
    """Each category in each language (its Spanish page has its Spanish slug)."""

    changefreq = "weekly"
    priority = 0.5
    i18n = True
    alternates = True

    def items(self):
        return Category.objects.all()


SITEMAPS = {"article-list": ArticleListSitemap, "articles": ArticleSitemap, "categories": CategorySitemap}
ROBOTS_DISALLOW: list[str] = []  # every public article page is for everyone
