"""Who may open which staff page. Every staff page shows or leads to PHI."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.views.decorators.cache import never_cache

from .models import is_admissions, is_supervisor


def _role_required(check):
    def decorator(view):
        @wraps(view)
        @login_required
        @never_cache
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


admissions_required = _role_required(is_admissions)
supervisor_required = _role_required(is_supervisor)
