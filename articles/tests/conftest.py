"""The people and categories the article tests share."""

import pytest
from django.contrib.auth.models import User

from articles.models import Category


@pytest.fixture
def reviewer(db):
    return User.objects.create_user(
        "dr-reyes", "reyes@lantern.example", "x", first_name="Elena", last_name="Reyes", is_staff=True
    )


@pytest.fixture
def withdrawal(db):
    return Category.objects.create(name="Withdrawal", slug="withdrawal")
