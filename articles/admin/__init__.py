"""The articles admin, one module per concern; importing them registers them."""

from . import article, review, sections  # noqa: F401
