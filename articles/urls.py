from django.urls import path

from intake.permissions import staff_member_required

from .views import ArticleDetailView, ArticleFeed, ArticleListView

app_name = "articles"

urlpatterns = [
    path("", ArticleListView.as_view(), name="list"),
    path("feed/", ArticleFeed(), name="feed"),
    path("category/<slug:category_slug>/", ArticleListView.as_view(), name="category"),
    # Staff only (and never from the shared cache): drafts and scheduled articles too, by id.
    path(
        "preview/<int:pk>/",
        staff_member_required(ArticleDetailView.as_view(preview=True, cache_pages=False)),
        name="preview",
    ),
    path("<slug:slug>/", ArticleDetailView.as_view(), name="detail"),
]
