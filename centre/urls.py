from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("programmes/", views.ProgrammesView.as_view(), name="programmes"),
    path("language-assistance/", views.LanguageAssistanceView.as_view(), name="language_assistance"),
]
