"""The phone screen's form: every field optional so a draft can be saved mid-call; what a complete
screen must have is checked by `screening.missing_for_completion`, with a message per field."""

from django import forms

from intake.models import LevelOfCare

from . import screening
from .models import ClinicalDecision, Programme

YES_NO = [("yes", "Yes"), ("no", "No")]
RATINGS = [(str(n), str(n)) for n in range(5)]

SUBSTANCES = [
    ("alcohol", "Alcohol"),
    ("fentanyl", "Opioids: fentanyl"),
    ("heroin", "Opioids: heroin"),
    ("prescription_opioids", "Opioids: prescription painkillers"),
    ("benzodiazepines", "Benzodiazepines"),
    ("stimulants", "Stimulants (meth, cocaine)"),
    ("cannabis", "Cannabis"),
    ("other", "Other"),
]
ROUTES = [("oral", "Oral"), ("smoked", "Smoked"), ("snorted", "Snorted"), ("injected", "Injected")]
LAST_USE = [
    ("", "—"),
    ("within_24h", "Within the last 24 hours"),
    ("1_3_days", "1 to 3 days ago"),
    ("4_7_days", "4 to 7 days ago"),
    ("over_week", "More than a week ago"),
    ("unknown", "Not known"),
]
WITHDRAWAL = [
    ("seizures", "Seizures"),
    ("delirium_tremens", "Delirium tremens (DTs)"),
    ("hallucinations", "Hallucinations"),
]
MOUD = [("buprenorphine", "Buprenorphine"), ("methadone", "Methadone"), ("naltrexone", "Naltrexone")]
PREGNANCY = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known"), ("not_applicable", "Not applicable")]
DIAGNOSES = [
    ("depression", "Depression"),
    ("anxiety", "Anxiety"),
    ("bipolar", "Bipolar disorder"),
    ("ptsd", "PTSD"),
    ("psychosis", "Psychosis / schizophrenia"),
    ("adhd", "ADHD"),
    ("eating", "Eating disorder"),
]
HOUSING = [("stable", "Stable"), ("unstable", "Unstable"), ("homeless", "Homeless")]
LEGAL = [
    ("none", "None"),
    ("pending", "Pending charges"),
    ("probation", "Probation or parole"),
    ("court_ordered", "Court-ordered treatment"),
]


def _checks(choices, label):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple)


def _radio(choices, label):
    return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)


def _text(label, rows=2):
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": rows}))


class ScreenForm(forms.Form):
    substances = _checks(SUBSTANCES, "Substances used")
    substances_other = forms.CharField(label="Other substance", required=False, max_length=200)
    routes = _checks(ROUTES, "How they are used")
    last_use = forms.ChoiceField(label="Last use", choices=LAST_USE, required=False)
    last_use_at = forms.CharField(label="Last use, date and time if known", required=False, max_length=100)
    daily_use = forms.BooleanField(label="Uses every day", required=False)
    daily_amount = forms.CharField(label="Daily amount", required=False, max_length=300)
    withdrawal_history = _checks(WITHDRAWAL, "Complications in a past withdrawal")
    medications = _text("Current medications")
    moud = _checks(MOUD, "Medication for opioid use disorder (MOUD)")
    pregnancy = _radio(PREGNANCY, "Pregnant")
    mental_health = _text("Mental health: what they say")
    diagnoses = _checks(DIAGNOSES, "Diagnoses they have been given")
    asq_1 = _radio(YES_NO, f"1. {screening.ASQ_QUESTIONS['asq_1']}")
    asq_2 = _radio(YES_NO, f"2. {screening.ASQ_QUESTIONS['asq_2']}")
    asq_3 = _radio(YES_NO, f"3. {screening.ASQ_QUESTIONS['asq_3']}")
    asq_4 = _radio(YES_NO, f"4. {screening.ASQ_QUESTIONS['asq_4']}")
    asq_4_details = forms.CharField(label="If yes to 4: how and when", required=False, max_length=500)
    asq_5 = _radio(YES_NO, f"5. {screening.ASQ_ACUITY[1]} (ask only after a yes to 1-4)")
    overdose_recent = _radio(YES_NO, "An overdose in the last 30 days")
    naloxone_used = forms.BooleanField(label="Naloxone (Narcan) was used", required=False)
    housing = _radio(HOUSING, "Housing")
    legal = _radio(LEGAL, "Legal situation")
    dim1_rating = _radio(RATINGS, f"Dimension 1: {screening.ASAM_DIMENSIONS[1]}, risk 0-4")
    dim1_note = _text("Dimension 1 note")
    dim2_rating = _radio(RATINGS, f"Dimension 2: {screening.ASAM_DIMENSIONS[2]}, risk 0-4")
    dim2_note = _text("Dimension 2 note")
    dim3_rating = _radio(RATINGS, f"Dimension 3: {screening.ASAM_DIMENSIONS[3]}, risk 0-4")
    dim3_note = _text("Dimension 3 note")
    dim4_rating = _radio(RATINGS, f"Dimension 4: {screening.ASAM_DIMENSIONS[4]}, risk 0-4")
    dim4_note = _text("Dimension 4 note")
    dim5_rating = _radio(RATINGS, f"Dimension 5: {screening.ASAM_DIMENSIONS[5]}, risk 0-4")
    dim5_note = _text("Dimension 5 note")
    dim6_rating = _radio(RATINGS, f"Dimension 6: {screening.ASAM_DIMENSIONS[6]}, risk 0-4")
    dim6_note = _text("Dimension 6 note")

    # Fields whose value is a list (checkboxes), for reading raw POST data.
    MULTI = ("substances", "routes", "withdrawal_history", "moud", "diagnoses")

    def answers(self) -> dict:
        """The cleaned answers as kept on the screen (only after is_valid())."""
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "", [], False)}

    def is_complete(self) -> bool:
        """Valid and every required answer given; otherwise each missing one has its message."""
        if not self.is_valid():
            return False
        for field, message in screening.missing_for_completion(self.answers()).items():
            self.add_error(field, message)
        return not self.errors

    def sections(self) -> list[tuple[str, list]]:
        """The form's fields in the order of the call, by heading, for the template."""
        names = [
            (
                "Substances",
                ["substances", "substances_other", "routes", "last_use", "last_use_at", "daily_use", "daily_amount"],
            ),
            ("Withdrawal and medications", ["withdrawal_history", "medications", "moud", "pregnancy"]),
            ("Mental health", ["mental_health", "diagnoses"]),
            ("Suicide risk (ASQ)", ["asq_1", "asq_2", "asq_3", "asq_4", "asq_4_details", "asq_5"]),
            ("Overdose, housing, legal", ["overdose_recent", "naloxone_used", "housing", "legal"]),
            ("ASAM dimensions", [f"dim{n}_{part}" for n in range(1, 7) for part in ("rating", "note")]),
        ]
        return [(title, [self[name] for name in fields]) for title, fields in names]


def shown(answers: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """A saved screen's answers for reading: (section, [(question, answer in words)]), unanswered
    questions left out."""
    form = ScreenForm()
    sections = []
    for title, fields in form.sections():
        rows = []
        for bound in fields:
            value = answers.get(bound.name)
            if value in (None, "", [], False):
                continue
            labels = dict(getattr(bound.field, "choices", []) or [])
            if isinstance(value, list):
                text = "; ".join(str(labels.get(v, v)) for v in value)
            elif value is True:
                text = "Yes"
            else:
                text = str(labels.get(value, value))
            rows.append((bound.label, text))
        if rows:
            sections.append((title, rows))
    return sections


def earlier_screens(lead, current) -> list[tuple]:
    """The lead's other screens, newest first, each with its answers for reading: a new screen
    after "more information needed" leaves the earlier ones readable."""
    others = lead.phone_screens.exclude(pk=getattr(current, "pk", None)).order_by("-pk")
    return [(screen, shown(screen.answers)) for screen in others]


class InformationAddedForm(forms.Form):
    information = forms.CharField(
        label="Information the clinician asked for", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Decision", choices=ClinicalDecision.Kind.choices, widget=forms.RadioSelect)
    programme = forms.ModelChoiceField(
        label="Programme (to accept)",
        queryset=Programme.objects.none(),
        required=False,
        empty_label="Choose a programme",
    )
    level_needed = forms.ChoiceField(
        label="Level of care needed (referral out)", choices=[("", "—"), *LevelOfCare.choices], required=False
    )
    note = forms.CharField(
        label="Note: what you decided and why; what is needed; or why refer out",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        field.queryset = Programme.objects.active().select_related("facility")
        field.label_from_instance = lambda p: f"{p.get_level_display()} at {p.facility}"

    def clean(self):
        data = super().clean()
        if data.get("kind") == ClinicalDecision.Kind.ACCEPT and not data.get("programme"):
            self.add_error("programme", "Choose the programme the person is accepted for.")
        if data.get("kind") == ClinicalDecision.Kind.REFER_OUT and not data.get("level_needed"):
            self.add_error("level_needed", "Say which level of care the person needs elsewhere.")
        return data
