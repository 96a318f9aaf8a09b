"""The categories the article tests share (the reviewer, Dr Reyes, is in the root conftest).

Models are imported inside the fixtures: pytest loads this file before Django is set up when it
is given `articles` (or `articles/tests`) on the command line."""

import pytest


@pytest.fixture
def withdrawal(db):
    from articles.models import Category

    return Category.objects.create(name="Withdrawal", slug="withdrawal")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and drawn images (the demo heroes too) go to the test's own folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
