"""The people and categories the article tests share.

Models are imported inside the fixtures: pytest loads this file before Django is set up when it
is given `articles` (or `articles/tests`) on the command line."""

import pytest


@pytest.fixture
def reviewer(db):
    """Dr Elena Reyes, the medical reviewer, who signs in as `dr-reyes` to approve articles."""
    from django.contrib.auth.models import User

    from articles.models import MedicalReviewer, ensure_reviewer_group

    user = User.objects.create_user(
        "dr-reyes", "reyes@lantern.example", "x", first_name="Elena", last_name="Reyes", is_staff=True
    )
    user.groups.add(ensure_reviewer_group())
    return MedicalReviewer.objects.create(name="Elena Reyes", credentials="MD", user=user)


@pytest.fixture
def withdrawal(db):
    from articles.models import Category

    return Category.objects.create(name="Withdrawal", slug="withdrawal")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and drawn images (the demo heroes too) go to the test's own folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
