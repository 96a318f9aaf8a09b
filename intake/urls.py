from django.urls import path
from django.views.generic import TemplateView

from . import views

urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("callback/thanks/", views.callback_thanks, name="callback_thanks"),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("patient-notice/", TemplateView.as_view(template_name="part2_notice.html"), name="part2_notice"),
    path("terms/", TemplateView.as_view(template_name="terms.html"), name="terms"),
    path("healthz", views.healthz, name="healthz"),
]
