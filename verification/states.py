"""The states a visitor can say they live in (or their plan is from): the fifty, DC and the
territories, by their postal codes. A state's Medicaid and some Blue Cross plans differ by state,
and Medicare finds a person without their card from their name, date of birth and state."""

import unicodedata

from django.utils.translation import gettext_lazy as _

US_STATES = {
    "AL": _("Alabama"),
    "AK": _("Alaska"),
    "AZ": _("Arizona"),
    "AR": _("Arkansas"),
    "CA": _("California"),
    "CO": _("Colorado"),
    "CT": _("Connecticut"),
    "DE": _("Delaware"),
    "DC": _("District of Columbia"),
    "FL": _("Florida"),
    "GA": _("Georgia"),
    "HI": _("Hawaii"),
    "ID": _("Idaho"),
    "IL": _("Illinois"),
    "IN": _("Indiana"),
    "IA": _("Iowa"),
    "KS": _("Kansas"),
    "KY": _("Kentucky"),
    "LA": _("Louisiana"),
    "ME": _("Maine"),
    "MD": _("Maryland"),
    "MA": _("Massachusetts"),
    "MI": _("Michigan"),
    "MN": _("Minnesota"),
    "MS": _("Mississippi"),
    "MO": _("Missouri"),
    "MT": _("Montana"),
    "NE": _("Nebraska"),
    "NV": _("Nevada"),
    "NH": _("New Hampshire"),
    "NJ": _("New Jersey"),
    "NM": _("New Mexico"),
    "NY": _("New York"),
    "NC": _("North Carolina"),
    "ND": _("North Dakota"),
    "OH": _("Ohio"),
    "OK": _("Oklahoma"),
    "OR": _("Oregon"),
    "PA": _("Pennsylvania"),
    "RI": _("Rhode Island"),
    "SC": _("South Carolina"),
    "SD": _("South Dakota"),
    "TN": _("Tennessee"),
    "TX": _("Texas"),
    "UT": _("Utah"),
    "VT": _("Vermont"),
    "VA": _("Virginia"),
    "WA": _("Washington"),
    "WV": _("West Virginia"),
    "WI": _("Wisconsin"),
    "WY": _("Wyoming"),
    "AS": _("American Samoa"),
    "GU": _("Guam"),
    "MP": _("Northern Mariana Islands"),
    "PR": _("Puerto Rico"),
    "VI": _("U.S. Virgin Islands"),
}


def _sort_key(label: str) -> str:
    # "Míchigan" sorts with the Ms in Spanish, as a reader looks for it.
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold()


def state_choices() -> list[tuple[str, str]]:
    """The states in the alphabetical order of their names in the page's language."""
    return sorted(((code, str(name)) for code, name in US_STATES.items()), key=lambda choice: _sort_key(choice[1]))


def state_name(code: str) -> str:
    return str(US_STATES.get(code, code))
