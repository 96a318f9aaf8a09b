"""Who may open which staff page. Every staff page shows or leads to PHI: a password alone is
never enough, the second factor must be verified in this session too."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .models import is_admissions, is_clinician, is_supervisor


def second_factor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_verified():
            return redirect(f"{reverse('staff:mfa')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def _role_required(check):
    def decorator(view):
        @wraps(view)
        @never_cache
        @second_factor_required
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


admissions_required = _role_required(is_admissions)
supervisor_required = _role_required(is_supervisor)
staff_member_required = _role_required(lambda user: user.is_active and user.is_staff)
clinician_required = _role_required(is_clinician)
# Who reads screened leads: the clinicians, and the supervisors who receive the clinicians' alerts
# when there is no clinician (deciding stays with clinicians).
clinical_reader_required = _role_required(lambda user: is_clinician(user) or is_supervisor(user))
