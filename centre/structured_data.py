"""What search engines and link previews read about the centre: schema.org JSON-LD and og:image.

Addresses are absolute and built from SITE_URL (config.absolute), never from the request: the
pages carrying them are cached once for everyone.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, override

from config.absolute import absolute_url

from .models import CentreProfile, Credential, Programme, TeamMember

DEFAULT_SHARE_IMAGE = "img/share.jpg"
DEFAULT_SHARE_ALT = gettext_lazy("An illustration of a low house with lit windows among green hills at dusk")
LOGO = "img/logo.svg"


def share_image(profile: CentreProfile | None) -> dict[str, str]:
    """The og:image (absolute) and its description in the page's language: the share image, else
    the photo, else ours."""
    for image, alt in [("share_image", "share_image_alt"), ("photo", "photo_alt")]:
        if profile is not None and getattr(profile, image):
            return {"url": absolute_url(getattr(profile, image).url), "alt": getattr(profile.local, alt)}
    return {"url": absolute_url(static(DEFAULT_SHARE_IMAGE)), "alt": str(DEFAULT_SHARE_ALT)}


def clinic_id() -> str:
    """One clinic in both languages: its id is the English home page's, on the Spanish page too."""
    with override(settings.LANGUAGE_CODE):
        return absolute_url(reverse("home")) + "#clinic"


def clinic(
    profile: CentreProfile | None,
    *,
    programmes: list[Programme],
    credentials: list[Credential],
    team: list[TeamMember],
    insurance: list[str],
) -> dict:
    """A MedicalClinic: what it offers (a MedicalTherapy per programme), its accreditations and
    licences, and its team by name and credentials only (bios and photos stay on the page). In the
    page's language: the Spanish page's data describes the Spanish page."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "@id": clinic_id(),
        "name": profile.name if profile else settings.CENTRE_NAME,
        "url": absolute_url(reverse("home")),
        "telephone": settings.CENTRE_PHONE,
        "logo": absolute_url(static(LOGO)),
        "image": share_image(profile)["url"],
    }
    if profile is not None:
        data["description"] = gettext("We treat %(treats)s.") % {"treats": profile.local.treats}
        if profile.photo:
            data["image"] = absolute_url(profile.photo.url)
        if profile.street_address:
            data["address"] = {
                "@type": "PostalAddress",
                "streetAddress": profile.street_address,
                "addressLocality": profile.city,
                "addressRegion": profile.state,
                "postalCode": profile.postal_code,
                "addressCountry": "US",
            }
        if profile.map_url:
            data["hasMap"] = profile.map_url
    if programmes:
        data["availableService"] = [
            {
                "@type": "MedicalTherapy",
                "name": programme.local.title,
                "description": programme.local.description,
                "url": absolute_url(reverse("programmes") + f"#{programme.anchor}"),
            }
            for programme in programmes
        ]
    if credentials:
        data["hasCredential"] = [_credential(credential) for credential in credentials]
    if team:
        data["employee"] = [_person(member) for member in team]
    if insurance:
        data["paymentAccepted"] = ", ".join(insurance)
    return data


def _credential(credential: Credential) -> dict:
    data = {
        "@type": "EducationalOccupationalCredential",
        "credentialCategory": credential.get_kind_display(),
        "name": f"{credential.get_kind_display()}, {credential.body}",
        "recognizedBy": {"@type": "Organization", "name": credential.body},
    }
    if credential.number:
        data["identifier"] = credential.number
    if credential.verification_url:
        data["url"] = credential.verification_url
    return data


def _person(member: TeamMember) -> dict:
    person = {"@type": "Person", "name": member.name}
    if member.credentials:
        person["honorificSuffix"] = member.credentials
    return person
