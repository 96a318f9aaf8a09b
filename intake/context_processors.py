from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .hours import centre_hours, phone_line_status
from .models import is_admissions, is_clinician, is_supervisor
from .models.second_factor import RECOVERY_CODES_LOW, cached_recovery_codes_left
from .phones import display_phone


def centre(request) -> dict:
    return {
        "centre": {
            "name": settings.CENTRE_NAME,
            "phone": display_phone(settings.CENTRE_PHONE),
            "phone_tel": settings.CENTRE_PHONE,
            # The name texts and reminders are signed with: says nothing about treatment.
            "sender_name": settings.DISCREET_SENDER_NAME,
            "hours": centre_hours().summary(),
            # Worked out only when a template asks (staff pages never do); settings and the
            # clock only, so the 500 page can show it with the database down.
            "phone_line": SimpleLazyObject(phone_line_status),
        }
    }


def staff(request) -> dict:
    # Lazy: public pages never pay for the group look-up, nor touch the session (which would make
    # their responses vary by cookie).
    return {
        "staff_is_supervisor": SimpleLazyObject(lambda: is_supervisor(request.user)),
        "staff_is_admissions": SimpleLazyObject(lambda: is_admissions(request.user)),
        "staff_is_clinician": SimpleLazyObject(lambda: is_clinician(request.user)),
        "recovery_codes_low": SimpleLazyObject(lambda: _recovery_codes_low(request)),
    }


def _recovery_codes_low(request) -> dict:
    """{"left": n} when this signed-in person is running out of recovery codes, else empty. Read
    from the cache, which forgets the count whenever a code is used or made, on any device."""
    if not request.user.is_authenticated:
        return {}
    left = cached_recovery_codes_left(request.user)
    return {"left": left} if left < RECOVERY_CODES_LOW else {}
