"""Card photos that survive a mistake elsewhere on the form.

A visitor who mistypes a phone number should not have to find the card and photograph it again.
When a form fails, `keep_photos()` holds each valid photo (encrypted, outside the web root: see
`cards.hold`) and the page shows it as kept. The page carries, for each kept photo, a token signed
with the site's key that names the held file and the form it was given to (a random id of the form
shown, in a hidden field), so a token copied from one page does nothing in another form. A token
older than the hold is refused, and its file is purged (`verification.tasks.purge_held_card_photos`).
Tokens name only random file names: never anything the visitor typed.
"""

import re
import secrets
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.utils.translation import gettext

from . import cards
from .cards import clean_card_image

KEPT_PHOTO_TEMPLATE = "verification/kept_photo_field.html"
_SALT = "verification.kept-card-photo"
_FORM_ID = re.compile(r"[A-Za-z0-9_-]{24}")


@dataclass(frozen=True)
class KeptPhoto:
    """A photo held from an earlier post of this form: its held file and the token the page carries."""

    name: str
    token: str


class KeptPhotoInput(forms.FileInput):
    """A file input with a "remove" box (`<name>-clear`) for a photo kept from an earlier post.

    The kept state around it is drawn by the field's template (KEPT_PHOTO_TEMPLATE)."""

    def clear_checkbox_name(self, name: str) -> str:
        return f"{name}-clear"

    def kept_token_name(self, name: str) -> str:
        return f"{name}-kept"

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        if upload:
            # A newly chosen photo wins over the remove box: choosing a file is the deliberate act.
            return upload
        if forms.CheckboxInput().value_from_datadict(data, files, self.clear_checkbox_name(name)):
            return False  # FileField's "cleared" value: the kept photo is not used
        return None


class KeptPhotoBoundField(forms.BoundField):
    @property
    def kept(self) -> KeptPhoto | None:
        return self.form.kept.get(self.name)

    @property
    def clear_name(self) -> str:
        return self.field.widget.clear_checkbox_name(self.html_name)

    @property
    def kept_token_name(self) -> str:
        return self.field.widget.kept_token_name(self.html_name)


class CardPhotoField(forms.FileField):
    widget = KeptPhotoInput(attrs={"accept": "image/jpeg,image/png"})
    bound_field_class = KeptPhotoBoundField

    def __init__(self, *, side_label: str, **kwargs):
        self.side_label = side_label
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        # `initial` is the photo kept from the last post, if any: FileField returns it when no new
        # photo is chosen, and False when the visitor ticked "remove".
        upload = super().clean(data, initial)
        if not upload:
            return None
        if isinstance(upload, KeptPhoto):
            image = cards.load_held(upload.name)
            if image is None:  # purged, or taken by a post sent twice
                raise forms.ValidationError(lost_message(self.side_label))
            return image
        return clean_card_image(upload)


def lost_message(side_label: str, *, just_sent: bool = False) -> str:
    if just_sent:
        message = gettext("%(side)s: we could not keep the photo you just sent. Please choose it again.")
    else:
        message = gettext("%(side)s: we could not keep the photo you sent earlier. Please choose it again.")
    return message % {"side": side_label}


class KeptPhotosMixin(forms.Form):
    """For a form with CardPhotoFields: the photos kept from its last post, and keeping them again."""

    # A random id per form shown, so a kept photo's token works only in the form it was given to.
    form_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posted = self.data.get("form_id") if self.is_bound else None
        if isinstance(posted, str) and _FORM_ID.fullmatch(posted):
            self.form_id = posted
        else:
            self.form_id = secrets.token_urlsafe(18)
            if self.is_bound:
                # The page shown again must carry the id its new tokens are bound to.
                self.data = self.data.copy()
                self.data["form_id"] = self.form_id
        self.initial = {**self.initial, "form_id": self.form_id}
        self._kept_again = False
        self.kept: dict[str, KeptPhoto] = {}
        # Sides whose page said "photo kept" but whose token is no longer good (over an hour old,
        # or not ours): the visitor is told to choose the photo again, never left to find it missing.
        self._lost: set[str] = set()
        for side in self._photo_fields():
            token = self.data.get(self.fields[side].widget.kept_token_name(self.add_prefix(side)))
            name = self._held_name(side, token)
            if name:
                self.kept[side] = KeptPhoto(name, token)
                self.initial[side] = self.kept[side]
            elif token:
                self._lost.add(side)

    def _photo_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, CardPhotoField)]

    def _sign(self, side: str, name: str) -> str:
        return signing.dumps({"form": self.form_id, "side": side, "file": name}, salt=_SALT)

    def _held_name(self, side: str, token) -> str | None:
        """The held file a token names, if it was signed by us for this form and side within the hour."""
        if not isinstance(token, str) or not token:
            return None
        try:
            payload = signing.loads(token, salt=_SALT, max_age=cards.HOLD_SECONDS)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if not isinstance(payload, dict) or payload.get("form") != self.form_id or payload.get("side") != side:
            return None
        name = payload.get("file")
        return name if isinstance(name, str) else None

    def full_clean(self) -> None:
        super().full_clean()
        for side in self._lost:
            widget = self.fields[side].widget
            chosen_again = widget.value_from_datadict(self.data, self.files, self.add_prefix(side))
            if chosen_again is None and side not in self._errors:  # neither a new photo nor "remove"
                self.add_error(side, lost_message(self.fields[side].side_label))

    def release_kept(self) -> None:
        """Once the request is stored: the kept photos are in it, and the held copies have done
        their job (until then they stay, so a failure while storing loses nothing)."""
        for kept in self.kept.values():
            cards.drop_held(kept.name)
        self.kept = {}

    def keep_photos(self) -> None:
        """Hold this post's valid photos so the form, shown again, carries them as kept.

        For a form that is shown again after validation (invalid, or refused for another reason).
        A photo replaced or removed by this post lets go of the one held before; a newly chosen
        file that was refused leaves the earlier kept photo in place, beside its error."""
        errors = self.errors
        for side in self._photo_fields():
            if side in errors:
                continue
            image = self.cleaned_data.get(side)
            previous = self.kept.pop(side, None)
            if previous:
                cards.drop_held(previous.name)
            if image is not None:
                # Held afresh (a new file, a new token): the hour starts again from this post.
                try:
                    name = cards.hold(image)
                except OSError as exc:
                    # The store refuses writes: the page still comes back with everything else,
                    # and this field says to choose the photo again rather than showing it empty.
                    cards.log_not_written("Card photo to keep", exc)
                    self.add_error(side, lost_message(self.fields[side].side_label, just_sent=True))
                    continue
                self.kept[side] = KeptPhoto(name, self._sign(side, name))
        self._kept_again = True

    @property
    def photos_to_choose_again(self) -> bool:
        """Whether a photo sent with this post is not kept, so the visitor must choose it again."""
        return any(
            self.files.get(self.add_prefix(side)) and (side in self.errors or not self._kept_again)
            for side in self._photo_fields()
        )
