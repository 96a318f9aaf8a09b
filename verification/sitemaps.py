"""What verification tells crawlers (config/sitemaps.py puts every app's entries together)."""

from django.urls import reverse_lazy

from config.absolute import PagesSitemap


class VerificationPagesSitemap(PagesSitemap):
    pages = ["verification:verify"]


SITEMAPS = {"verification": VerificationPagesSitemap}
# Reached only after sending the form: nothing there for a search result.
ROBOTS_DISALLOW = [reverse_lazy("verification:thanks")]
