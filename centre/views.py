from django.utils.translation import get_language
from django.views.generic import TemplateView

from articles.cache import CachedPageMixin
from config.absolute import absolute_url

from .models import CentreProfile, Programme, TeamMember
from .structured_data import clinic, share_image


class CentrePageView(CachedPageMixin, TemplateView):
    """A public page about the centre, built from what admins entered (and shared, through the
    page cache, by every anonymous visitor until something changes)."""

    def get_context_data(self, **kwargs) -> dict:
        profile = CentreProfile.objects.prefetch_related("credentials", "insurance_plans").current()
        programmes = list(Programme.objects.shown())
        credentials = list(profile.credentials.all()) if profile else []
        insurance = list(profile.insurance_plans.all()) if profile else []
        team = list(TeamMember.objects.shown())
        json_ld = clinic(
            profile,
            programmes=programmes,
            credentials=credentials,
            team=team,
            insurance=[plan.name for plan in insurance],
        )
        return super().get_context_data(
            profile=profile,
            programmes=programmes,
            credentials=credentials,
            insurance=insurance,
            team=team,
            canonical=absolute_url(self.request.path),
            share_image=share_image(profile),
            json_ld=json_ld,
            **kwargs,
        )


class HomeView(CentrePageView):
    template_name = "home.html"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        profile = context["profile"]
        context["featured_articles"] = profile.live_featured_articles(get_language()) if profile else []
        return context


class ProgrammesView(CentrePageView):
    template_name = "centre/programmes.html"


class LanguageAssistanceView(TemplateView):
    """Free interpretation and translated materials, and how to complain (Section 1557): from
    settings alone, in both languages."""

    template_name = "centre/language_assistance.html"
