"""Forms the admissions team uses on a lead."""

from django import forms
from django.contrib.auth.models import User
from django.db.models import Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone

from .crypto import keyed_hash
from .models import (
    ADMISSIONS_GROUP,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    AttemptOutcome,
    Facility,
    Language,
    Lead,
    LeadKind,
    LeadStatus,
    LevelOfCare,
    NotAFitReason,
    OutcomeFacts,
    StaffProfile,
    is_supervisor,
    staff_name,
)
from .models.queries import NAME_SEARCH_SCAN
from .phones import normalise_phone


class QueueFilterForm(forms.Form):
    NAME_SEARCH_SCAN = NAME_SEARCH_SCAN
    SHOW_CHOICES = [("", "Everyone's"), ("mine", "Mine"), ("unassigned", "Unassigned")]

    status = forms.ChoiceField(
        required=False,
        choices=[("", "All open"), *LeadStatus.choices, ("closed", "All closed")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "All types"), *Lead._meta.get_field("kind").choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    show = forms.ChoiceField(required=False, choices=SHOW_CHOICES, widget=forms.Select(attrs={"class": "form-select"}))
    # The person's language: a Spanish speaker on shift looks for the requests made in Spanish.
    language = forms.ChoiceField(
        required=False,
        choices=[("", "All languages"), *Language.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # Choices set in __init__: "All facilities", "My facilities", then each active one.
    FACILITY_CHOICES = [("", "All facilities"), ("mine", "My facilities")]
    facility = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "form-select"}))
    q = forms.CharField(
        required=False,
        max_length=40,
        label="Phone, reference, name or email",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search", "autocomplete": "off"}),
    )
    # A phone search travels as the number's keyed hash, never as the number (see search_to_params).
    phone = forms.RegexField(required=False, regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)

    def __init__(self, *args, text_search: bool = False, **kwargs):
        # Names and emails are searched only from a posted form (see search_to_params): a URL
        # with ?q=<a name> finds nothing, so nobody comes to rely on one.
        self.text_search = text_search
        super().__init__(*args, **kwargs)
        # A single-site queue looks as it always has: no facility choice, no facility on the rows.
        facilities = list(Facility.objects.active().values_list("pk", "name"))
        self.several_facilities = len(facilities) > 1
        if self.several_facilities:
            self.fields["facility"].choices = [*self.FACILITY_CHOICES, *((str(pk), name) for pk, name in facilities)]
            self.facility_names = dict(self.fields["facility"].choices)
        else:
            del self.fields["facility"]

    def filter(self, leads, user):
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status")
        if status == "closed":
            leads = leads.exclude(status__in=OPEN_STATUSES)
        elif status:
            leads = leads.filter(status=status)
        else:
            leads = leads.open()
        if data.get("kind"):
            leads = leads.filter(kind=data["kind"])
        if data.get("language"):
            leads = leads.filter(language=data["language"])
        if data.get("show") == "mine":
            leads = leads.filter(assigned_to=user)
        elif data.get("show") == "unassigned":
            leads = leads.filter(assigned_to__isnull=True)
        if data.get("facility") == "mine":
            mine = list(StaffProfile.objects.filter(user=user).values_list("facilities", flat=True))
            if any(mine):  # a worker tied to no facility works them all
                leads = leads.filter(facility__in=[pk for pk in mine if pk])
        elif data.get("facility"):
            leads = leads.filter(facility=data["facility"])
        query = (data.get("q") or "").strip()
        if data.get("phone"):
            leads = leads.filter(phone_hash=data["phone"])
        elif query:
            leads = _search(leads, query, text=self.text_search)
        return leads

    @property
    def shows_closed(self) -> bool:
        status = self.cleaned_data.get("status") if self.is_valid() else ""
        return bool(status) and status not in OPEN_STATUSES  # as `filter` reads it: not open

    def in_order(self, leads):
        """Open leads in the order to call them; closed ones newest closed first (a worker looks
        there for what just happened, not for a first-call target long past)."""
        return leads.newest_closed_first() if self.shows_closed else leads.queue_order()

    def order_words(self) -> str:
        if self.shows_closed:
            return "Newest closed first."
        return "Those still waiting for a first call come first: urgent, then by when the first call is due."

    def caption(self) -> str:
        """What the list holds, in the words of its filters: "Closed requests, assigned to you"."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status")
        which = {"": "Open", "closed": "Closed"}.get(status or "")
        kind = f"{LeadKind(data['kind']).label.lower()} requests" if data.get("kind") else "requests"
        words = f"{which} {kind}" if which else f"{kind.capitalize()}: {LeadStatus(status).label.lower()}"
        words += {"mine": ", assigned to you", "unassigned": ", unassigned"}.get(data.get("show") or "", "")
        if data.get("language"):
            words += f", in {Language(data['language']).label}"
        if data.get("facility") == "mine":
            words += ", at your facilities"
        elif data.get("facility"):
            words += f", at {self.facility_names[data['facility']]}"
        if data.get("phone"):
            words += ", for one phone number"
        elif (data.get("q") or "").strip():
            words += ", matching the search"
        return words

    @property
    def searching_phone(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("phone"))


# The queue's filters that travel in its URL (and are kept by a search and the live refresh).
QUEUE_FILTERS = ("status", "kind", "show", "language", "facility")


def search_to_params(post) -> dict | None:
    """The queue's filters from a submitted search form, for a URL: a reference as it is, a phone
    number replaced by its keyed hash. None when the search is other text (a name, an email):
    that is searched from the posted form itself, so the URL, the history and the access log
    never hold a number, a name or an email."""
    params = {key: post.get(key, "") for key in QUEUE_FILTERS if post.get(key)}
    query = post.get("q", "").strip()[:40]
    e164 = None if _reference(query) else normalise_phone(query)
    if e164:
        params["phone"] = keyed_hash(e164)
    elif _reference(query):
        params["q"] = query
    elif query:
        return None
    return params


def _reference(query: str) -> tuple[str, int] | None:
    """("lead", 123) for L-000123 or 123, ("request", 456) for R-000456, as a visitor reads it out."""
    query = query.upper()
    kind = "request" if query.startswith("R-") else "lead"
    number = query.removeprefix("R-" if kind == "request" else "L-").lstrip("0")
    return (kind, int(number)) if number.isdigit() and len(number) <= 9 else None


def _search(leads, query: str, *, text: bool):
    """A lead's or a request's reference; with `text`, a name or an email. Phone numbers arrive
    as a keyed hash instead."""
    reference = _reference(query)
    if reference:
        kind, number = reference
        return leads.filter(requests__pk=number) if kind == "request" else leads.filter(pk=number)
    if text:
        return leads.matching_name_or_email(query)
    return leads.none()


class AttemptForm(forms.Form):
    outcome = forms.ChoiceField(widget=forms.RadioSelect, choices=AttemptOutcome.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = lead.allowed_outcomes()
        self.fields["outcome"].choices = [(value, label) for value, label in AttemptOutcome.choices if value in allowed]
        self.fields["outcome"].error_messages["invalid_choice"] = (
            "That outcome isn't allowed: the visitor did not agree to voicemail or texts."
        )


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ContactPreferencesForm(forms.Form):
    """What the person said on a call about texts and voicemail."""

    ok_to_text = forms.BooleanField(
        label="They said texts to this number are OK", required=False, help_text="Unticked: they said no."
    )
    ok_to_voicemail = forms.BooleanField(
        label="They said a voicemail at this number is OK", required=False, help_text="Unticked: they said no."
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=LeadStatus.choices)


class FollowUpForm(forms.Form):
    follow_up_at = forms.DateTimeField(
        label="Follow up at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Empty clears the follow-up.",
    )

    def clean_follow_up_at(self):
        value = self.cleaned_data["follow_up_at"]
        if value and value < timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return value


class StaffChoiceField(forms.ModelChoiceField):
    """Colleagues as the staff pages name them (staff_name), in the order of those names."""

    def label_from_instance(self, obj) -> str:
        return staff_name(obj)


def by_staff_name(users):
    """`users` ordered as staff_name reads: the full name, else the username; case aside."""
    full_name = Trim(Concat("first_name", Value(" "), "last_name"))
    return users.annotate(sort_name=Lower(Coalesce(NullIf(full_name, Value("")), "username"))).order_by(
        "sort_name", "username"
    )


class AssignForm(forms.Form):
    assignee = StaffChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        team = User.objects.filter(is_active=True, groups__name=ADMISSIONS_GROUP).distinct()
        self.fields["assignee"].queryset = by_staff_name(team)


class MergeForm(forms.Form):
    """Which lead this one is the same person as. Anyone working the lead picks among the open
    leads with its phone; a supervisor may also type another lead's reference, and then says why."""

    target = forms.ChoiceField(label="Merge into the lead with this phone", required=False, widget=forms.RadioSelect)
    reference = forms.CharField(
        label="Or another lead's reference (supervisors)", max_length=20, required=False, help_text="Like L-000123."
    )
    reason = forms.CharField(
        label="Why they are the same person",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the phone numbers differ. Kept with the merge; a supervisor can undo it.",
    )

    def __init__(self, *args, lead: Lead, by: User | None = None, **kwargs):
        self.lead, self.by = lead, by
        super().__init__(*args, **kwargs)
        same_phone = (
            Lead.objects.open().filter(phone_hash=lead.phone_hash).exclude(pk=lead.pk).order_by("-created_at")[:10]
        )
        self.fields["target"].choices = [
            (other.reference, f"{other.reference} ({other.get_status_display().lower()}, {other.created_at:%b %-d})")
            for other in same_phone
        ]

    def clean_reference(self):
        raw = self.cleaned_data["reference"].strip().upper().removeprefix("L-").lstrip("0")
        if not raw:
            return None
        if self.by is not None and not is_supervisor(self.by):
            raise forms.ValidationError("Only a supervisor can merge into a lead with another phone number.")
        if not raw.isdigit() or len(raw) > 9:
            raise forms.ValidationError("Enter a reference like L-000123.")
        target = Lead.objects.filter(pk=int(raw)).first()
        if target is None:
            raise forms.ValidationError("No lead has that reference.")
        if target.pk == self.lead.pk:
            raise forms.ValidationError("That is this lead.")
        return target

    def clean(self):
        data = super().clean()
        chosen = data.get("target")
        typed = data.get("reference")
        if chosen and typed:
            self.add_error("reference", "Choose one lead: the one listed, or the one typed, not both.")
        elif chosen:
            data["target"] = Lead.objects.get(pk=int(chosen.removeprefix("L-")))
        elif typed:
            data["target"] = typed
            if typed.phone_hash != self.lead.phone_hash and not data.get("reason", "").strip():
                self.add_error("reason", "Say why leads with different phone numbers are the same person.")
        elif "reference" not in self.errors:
            self.add_error("target", "Choose the lead this one is the same person as.")
        return data


class UndoMergeForm(forms.Form):
    reason = forms.CharField(
        label="Why undo this merge", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )


class OutcomeForm(forms.Form):
    """The facts of how a lead ends, for one outcome (`status`); the model checks them
    (OutcomeFacts.errors) and each problem is shown next to its field."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in CLOSED_STATUSES], widget=forms.HiddenInput)
    admitted_on = forms.DateField(
        label="Admitted on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False
    )
    level_of_care = forms.ChoiceField(
        label="Level of care", choices=[("", "Choose…"), *LevelOfCare.choices], required=False
    )
    programme = forms.CharField(label="Programme (optional)", max_length=200, required=False)
    referred_to = forms.CharField(
        label="Referred to",
        max_length=200,
        required=False,
        help_text="The programme, clinic or person, until a partner directory exists.",
    )
    reason = forms.ChoiceField(label="Reason", choices=NotAFitReason.choices, widget=forms.RadioSelect, required=False)
    note = forms.CharField(label="Note", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    # The fields each outcome asks for, in order (status is always there).
    FIELDS = {
        LeadStatus.ADMITTED: ["admitted_on", "level_of_care", "programme"],
        LeadStatus.REFERRED: ["referred_to"],
        LeadStatus.NOT_A_FIT: ["reason", "note"],
        LeadStatus.UNREACHABLE: ["note"],
    }

    def __init__(self, *args, lead: Lead, status: str, **kwargs):
        self.lead = lead
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = status
        for name in list(self.fields):
            if name != "status" and name not in self.FIELDS.get(status, []):
                del self.fields[name]
        if status == LeadStatus.UNREACHABLE:
            self.fields["note"].label = "Note (optional)"
        # The facts this outcome cannot do without are marked required, with the model's words.
        for name, message in OutcomeFacts(status=status).errors(lead).items():
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
        self.facts = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        facts = OutcomeFacts(**{name: value for name, value in data.items() if value is not None})
        for name, message in facts.errors(self.lead).items():
            self.add_error(name if name in self.fields else None, message)
        self.facts = facts
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this lead is being reopened."},
    )
