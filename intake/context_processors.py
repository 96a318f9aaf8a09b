from django.conf import settings

from .hours import centre_hours
from .phones import display_phone


def centre(request) -> dict:
    return {
        "centre": {
            "name": settings.CENTRE_NAME,
            "phone": display_phone(settings.CENTRE_PHONE),
            "phone_tel": settings.CENTRE_PHONE,
            "hours": centre_hours().summary(),
        }
    }


def staff(request) -> dict:
    # Lazy: public pages never pay for the group look-up.
    from django.utils.functional import SimpleLazyObject

    from .models import is_supervisor

    return {"staff_is_supervisor": SimpleLazyObject(lambda: is_supervisor(request.user))}
