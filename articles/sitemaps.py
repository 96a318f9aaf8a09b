"""What articles tell crawlers (config/sitemaps.py puts every app's entries together)."""

from config.absolute import PagesSitemap, SiteUrlSitemap

from .models import Article, Category


class ArticleListSitemap(PagesSitemap):
    pages = ["articles:list"]


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("-publish_at")

    def lastmod(self, item: Article):
        return item.updated_at


class CategorySitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Category.objects.all()


SITEMAPS = {"article-list": ArticleListSitemap, "articles": ArticleSitemap, "categories": CategorySitemap}
ROBOTS_DISALLOW: list[str] = []  # every public article page is for everyone
