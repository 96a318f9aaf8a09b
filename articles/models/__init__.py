"""The articles app's models, one module per concern; import them from here."""

from .article import Article, ArticleQuerySet, Category, Source, Tag

__all__ = ["Article", "ArticleQuerySet", "Category", "Source", "Tag"]
