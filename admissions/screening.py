"""What a phone screen's answers mean: the ASQ result, the red flags, and a suggested level of care.

Pure logic over the answers dict a `PhoneScreen` keeps (the field names of
`admissions.screen_forms.ScreenForm`), so each rule is tested on its own and read in one place.
Nothing here decides anything: a red flag alerts the clinicians, and the level of care is a
suggestion for the clinician, never a decision.

The suicide-risk questions are NIMH's Ask Suicide-Screening Questions (ASQ), a public-domain
tool: https://www.nimh.nih.gov/research/research-conducted-at-nimh/asq-toolkit-materials
Its scoring: "yes" to any of questions 1-4 is a positive screen and question 5 ("right now") is
then asked; "yes" to 5 is an acute positive (imminent risk), "no" a non-acute positive (a brief
suicide safety assessment is needed). "No" to all four is negative. Clinical judgement can always
override a negative screen.
"""

from dataclasses import dataclass

from intake.models import LevelOfCare

# The ASQ in our words, faithful to the published tool (see the module docstring).
ASQ_QUESTIONS = {
    "asq_1": "In the past few weeks, have you wished you were dead?",
    "asq_2": "In the past few weeks, have you felt that you or your family would be better off if you were dead?",
    "asq_3": "In the past week, have you been having thoughts about killing yourself?",
    "asq_4": "Have you ever tried to kill yourself? (If yes: how, and when?)",
}
ASQ_ACUITY = ("asq_5", "Are you having thoughts of killing yourself right now?")

OPIOIDS = {"fentanyl", "heroin", "prescription_opioids"}
SEDATIVES = {"alcohol", "benzodiazepines"}
# "Recent" for withdrawal: the window in which alcohol or benzodiazepine withdrawal begins.
RECENT_USE = {"within_24h", "1_3_days"}

ASAM_DIMENSIONS = {
    1: "Acute intoxication and/or withdrawal potential",
    2: "Biomedical conditions and complications",
    3: "Emotional, behavioural or cognitive conditions and complications",
    4: "Readiness to change",
    5: "Relapse, continued use or continued problem potential",
    6: "Recovery/living environment",
}


class Asq:
    NOT_ASKED = "not_asked"
    NEGATIVE = "negative"
    POSITIVE = "non_acute_positive"
    ACUTE = "acute_positive"


@dataclass(frozen=True)
class Flag:
    """One red flag: `kind` is "medical" or "safety", `code` names the rule (no PHI: it is kept to
    alert once per set of flags), `reason` is the sentence staff read."""

    kind: str
    code: str
    reason: str

    @property
    def title(self) -> str:
        return "Medical urgency" if self.kind == MEDICAL else "Safety"


MEDICAL, SAFETY = "medical", "safety"


@dataclass(frozen=True)
class Suggestion:
    level: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LevelOfCare(self.level).label


def _set(answers: dict, key: str) -> set[str]:
    return set(answers.get(key) or [])


def asq_result(answers: dict) -> str:
    """The ASQ's published scoring (module docstring). Question 5 unanswered after a "yes" counts
    as a plain positive until it is asked: the worker must still act on it."""
    given = [answers.get(key) for key in ASQ_QUESTIONS]
    if any(value == "yes" for value in given):
        return Asq.ACUTE if answers.get("asq_5") == "yes" else Asq.POSITIVE
    if all(value == "no" for value in given):
        return Asq.NEGATIVE
    return Asq.NOT_ASKED


def asq_positive(answers: dict) -> bool:
    return asq_result(answers) in (Asq.POSITIVE, Asq.ACUTE)


def _rating(answers: dict, dimension: int) -> int:
    value = str(answers.get(f"dim{dimension}_rating") or "")
    # Unrated (or, in a form being re-shown, not a number): no risk counted yet.
    return int(value) if value.isdigit() else 0


def red_flags(answers: dict) -> list[Flag]:
    """Every rule that holds, medical first. Each is a reason to alert a clinician now."""
    substances, routes = _set(answers, "substances"), _set(answers, "routes")
    withdrawal = _set(answers, "withdrawal_history")
    recent = answers.get("last_use") in RECENT_USE
    flags = []
    if withdrawal & {"seizures", "delirium_tremens"}:
        flags.append(
            Flag(
                MEDICAL,
                "complicated_withdrawal",
                "Seizures or delirium tremens in a past withdrawal: withdrawal can be life-threatening.",
            )
        )
    if substances & SEDATIVES and answers.get("daily_use") and recent:
        flags.append(
            Flag(
                MEDICAL,
                "sedative_withdrawal",
                "Daily alcohol or benzodiazepine use, last used in the past 3 days: withdrawal may start soon.",
            )
        )
    if answers.get("pregnancy") == "yes" and substances & OPIOIDS:
        flags.append(
            Flag(
                MEDICAL,
                "pregnancy_opioids",
                "Pregnant and using opioids: stopping abruptly risks the pregnancy; MOUD needs review.",
            )
        )
    if answers.get("overdose_recent") == "yes":
        flags.append(Flag(MEDICAL, "recent_overdose", "An overdose in the last 30 days: a high risk of another."))
    if "injected" in routes and substances & {"fentanyl", "heroin"} and answers.get("last_use") == "within_24h":
        flags.append(
            Flag(
                MEDICAL,
                "injected_opioids",
                "Injecting fentanyl or heroin with use in the last 24 hours: a high overdose risk.",
            )
        )
    if _rating(answers, 1) == 4 or _rating(answers, 2) == 4:
        flags.append(
            Flag(MEDICAL, "asam_severe", "ASAM dimension 1 or 2 rated 4 (severe): needs medical attention now.")
        )
    result = asq_result(answers)
    if result == Asq.ACUTE:
        flags.append(
            Flag(SAFETY, "asq_acute", "Thoughts of killing themself right now (ASQ acute positive): imminent risk.")
        )
    elif result == Asq.POSITIVE:
        flags.append(
            Flag(
                SAFETY,
                "asq_positive",
                "A yes on the suicide-risk screen (ASQ positive): a brief suicide safety assessment is needed.",
            )
        )
    return flags


def suggest_level(answers: dict) -> Suggestion:
    """A level of care for the clinician to consider, with the reasons that chose it. The first
    rule that holds wins, most intensive first:

    1. withdrawal risk (a medical red flag about withdrawal, prior hallucinations in withdrawal, or
       ASAM dimension 1 at 3 or more) -> detox;
    2. any ASAM dimension at 3 or more, or homelessness -> residential;
    3. any dimension at 2 with housing not stable -> PHP;
    4. any dimension at 2 (housing stable) -> IOP;
    5. otherwise (stable housing, every dimension 0-1) -> outpatient.
    """
    reasons: list[str] = []
    if asq_result(answers) == Asq.ACUTE:
        reasons.append("Acute suicide risk: an emergency mental health evaluation comes before any level of care.")
    codes = {flag.code for flag in red_flags(answers)}
    ratings = {dim: _rating(answers, dim) for dim in ASAM_DIMENSIONS}
    housing = answers.get("housing")

    withdrawal = []
    if codes & {"complicated_withdrawal", "sedative_withdrawal"}:
        withdrawal.append("Withdrawal risk (see the medical red flags).")
    if "hallucinations" in _set(answers, "withdrawal_history"):
        withdrawal.append("Hallucinations in a past withdrawal.")
    if ratings[1] >= 3:
        withdrawal.append(f"ASAM dimension 1 (withdrawal potential) rated {ratings[1]}.")
    if withdrawal:
        return Suggestion(LevelOfCare.DETOX, tuple(reasons + withdrawal))

    high = [f"ASAM dimension {dim} rated {rating}." for dim, rating in ratings.items() if rating >= 3]
    if housing == "homeless":
        high.append("No home to return to each night.")
    if high:
        return Suggestion(LevelOfCare.RESIDENTIAL, tuple(reasons + high))

    moderate = [f"ASAM dimension {dim} rated 2." for dim, rating in ratings.items() if rating == 2]
    if moderate and housing != "stable":
        return Suggestion(LevelOfCare.PHP, tuple(reasons + moderate + ["Housing not stable."]))
    if moderate:
        return Suggestion(LevelOfCare.IOP, tuple(reasons + moderate + ["Stable housing."]))
    calm = ["Every ASAM dimension rated 0 or 1."]
    calm.append("Stable housing." if housing == "stable" else "Housing not yet known.")
    return Suggestion(LevelOfCare.OUTPATIENT, tuple(reasons + calm))


REQUIRED_MESSAGE = "Answer this before completing the screen."


def missing_for_completion(answers: dict) -> dict[str, str]:
    """Field name -> message for every answer a completed screen must have. A draft needs none."""
    missing = {}
    required = ["substances", "last_use", "pregnancy", "overdose_recent", "housing", "legal", *ASQ_QUESTIONS]
    required += [f"dim{dim}_rating" for dim in ASAM_DIMENSIONS]
    for key in required:
        if answers.get(key) in (None, "", []):
            missing[key] = REQUIRED_MESSAGE
    if asq_positive(answers) and answers.get("asq_5") in (None, ""):
        missing["asq_5"] = "A yes to questions 1-4: ask question 5 now."
    if "other" in _set(answers, "substances") and not answers.get("substances_other"):
        missing["substances_other"] = "Say which other substance."
    return missing
