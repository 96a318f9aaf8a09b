from django.urls import reverse

from .absolute import SiteUrlSitemap as Sitemap
from .models import Article, Category


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("-publish_at")

    def lastmod(self, item: Article):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Category.objects.all()


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 1.0

    def items(self):
        return ["home", "callback", "verification:verify", "articles:list", "privacy", "part2_notice", "terms"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "categories": CategorySitemap}
