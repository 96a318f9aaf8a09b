"""What the centre's pages tell crawlers (config/sitemaps.py puts every app's entries together)."""

from config.absolute import PagesSitemap


class CentrePagesSitemap(PagesSitemap):
    pages = ["programmes", "language_assistance"]  # the home page stays in intake's list, where it always was


SITEMAPS = {"centre": CentrePagesSitemap}
ROBOTS_DISALLOW: list[str] = []
