"""What intake tells crawlers (config/sitemaps.py puts every app's entries together)."""

from django.urls import reverse_lazy

from config.absolute import PagesSitemap


class IntakePagesSitemap(PagesSitemap):
    pages = ["home", "callback", "privacy", "part2_notice", "terms"]


SITEMAPS = {"pages": IntakePagesSitemap}
# Reached only after sending the form: nothing there for a search result.
ROBOTS_DISALLOW = [reverse_lazy("callback_thanks")]
