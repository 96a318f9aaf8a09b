"""The articles app's models, one module per concern; import them from here."""

from .article import Article, ArticleQuerySet, Category, Source, Tag
from .images import ArticleImage
from .redirects import ArticleRedirect
from .review import (
    REVIEWERS_GROUP,
    ArticleApproval,
    MedicalReviewer,
    PublishingRefused,
    ReviewError,
    ensure_reviewer_group,
    revision_of,
)
from .review_queue import ArticleAwaitingReview
from .search import SearchSynonym

__all__ = [
    "REVIEWERS_GROUP",
    "Article",
    "ArticleApproval",
    "ArticleAwaitingReview",
    "ArticleImage",
    "ArticleQuerySet",
    "ArticleRedirect",
    "Category",
    "MedicalReviewer",
    "PublishingRefused",
    "ReviewError",
    "SearchSynonym",
    "Source",
    "Tag",
    "ensure_reviewer_group",
    "revision_of",
]
