from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("feed/", views.feed, name="feed"),
    path("category/<slug:category_slug>/", views.article_list, name="category"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("<slug:slug>/", views.article_detail, name="detail"),
]
