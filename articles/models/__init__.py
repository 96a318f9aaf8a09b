"""The articles app's models, one module per concern; import them from here."""

from .article import Article, ArticleQuerySet, Category, Source, Tag
from .images import ArticleImage
from .search import SearchSynonym

__all__ = ["Article", "ArticleImage", "ArticleQuerySet", "Category", "SearchSynonym", "Source", "Tag"]
