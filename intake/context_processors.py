from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .hours import centre_hours, phone_line_status
from .models import is_supervisor
from .phones import display_phone


def centre(request) -> dict:
    return {
        "centre": {
            "name": settings.CENTRE_NAME,
            "phone": display_phone(settings.CENTRE_PHONE),
            "phone_tel": settings.CENTRE_PHONE,
            "hours": centre_hours().summary(),
            # Worked out only when a template asks (staff pages never do); settings and the
            # clock only, so the 500 page can show it with the database down.
            "phone_line": SimpleLazyObject(phone_line_status),
        }
    }


def staff(request) -> dict:
    # Lazy: public pages never pay for the group look-up.
    return {"staff_is_supervisor": SimpleLazyObject(lambda: is_supervisor(request.user))}
