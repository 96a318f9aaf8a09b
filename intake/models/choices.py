"""The vocabulary of intake: kinds, statuses and the workflow between them, and what visitors choose."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadKind(models.TextChoices):
    CALLBACK = "callback", "Callback"
    VERIFICATION = "verification", "Insurance verification"
    # A text to the centre's number from a number with no open lead (texting.inbound).
    TEXT = "text", "Text message"


class Language(models.TextChoices):
    """The languages the visitor side speaks (settings.LANGUAGES), each named in itself: staff read
    "Español" on the queue, as the person would say it."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTING = "contacting", "Contacting"
    REACHED = "reached", "Reached"
    ASSESSMENT_SCHEDULED = "assessment_scheduled", "Assessment scheduled"
    # The admissions path after the phone screen (driven by the admissions app through
    # Lead.advance): a clinician decides, a bed is held or the person waits for one.
    AWAITING_REVIEW = "awaiting_review", "Awaiting clinical review"
    MORE_INFO = "more_info", "More information needed"
    ACCEPTED = "accepted", "Accepted for admission"
    WAITLISTED = "waitlisted", "On a waitlist"
    ADMISSION_SCHEDULED = "admission_scheduled", "Admission scheduled"
    REFER_OUT = "refer_out", "Referral out recommended"
    ADMITTED = "admitted", "Admitted"
    REFERRED = "referred", "Referred elsewhere"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    UNREACHABLE = "unreachable", "Unreachable"
    MERGED = "merged", "Merged into another lead"


OPEN_STATUSES = [
    LeadStatus.NEW,
    LeadStatus.CONTACTING,
    LeadStatus.REACHED,
    LeadStatus.ASSESSMENT_SCHEDULED,
    LeadStatus.AWAITING_REVIEW,
    LeadStatus.MORE_INFO,
    LeadStatus.ACCEPTED,
    LeadStatus.WAITLISTED,
    LeadStatus.ADMISSION_SCHEDULED,
    LeadStatus.REFER_OUT,
]
CLOSED_STATUSES = [LeadStatus.ADMITTED, LeadStatus.REFERRED, LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE]

# The status workflow staff may move a lead through by hand. Logging a contact attempt also
# moves it (new -> contacting, -> reached); "reopen" is any closed status back to contacting.
TRANSITIONS: dict[str, list[str]] = {
    LeadStatus.NEW: [LeadStatus.CONTACTING, LeadStatus.UNREACHABLE],
    LeadStatus.CONTACTING: [LeadStatus.REACHED, LeadStatus.UNREACHABLE],
    LeadStatus.REACHED: [LeadStatus.ASSESSMENT_SCHEDULED, LeadStatus.REFERRED, LeadStatus.NOT_A_FIT],
    LeadStatus.ASSESSMENT_SCHEDULED: [
        LeadStatus.ADMITTED,
        LeadStatus.REFERRED,
        LeadStatus.NOT_A_FIT,
        LeadStatus.REACHED,
    ],
    # Past the screen a lead moves by what happens (Lead.advance: a clinician's decision, a bed
    # held or freed); by hand it can only be closed, or taken back to "reached" to screen again.
    # A person who stops answering while waiting (for more questions, a bed, a date) can be closed
    # as unreachable there too, under the same attempts rule as before the screen.
    LeadStatus.AWAITING_REVIEW: [LeadStatus.REFERRED, LeadStatus.NOT_A_FIT],
    LeadStatus.MORE_INFO: [LeadStatus.REACHED, LeadStatus.REFERRED, LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE],
    LeadStatus.ACCEPTED: [LeadStatus.REFERRED, LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE],
    LeadStatus.WAITLISTED: [LeadStatus.REFERRED, LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE],
    LeadStatus.ADMISSION_SCHEDULED: [
        LeadStatus.ADMITTED,
        LeadStatus.REFERRED,
        LeadStatus.NOT_A_FIT,
        LeadStatus.UNREACHABLE,
    ],
    LeadStatus.REFER_OUT: [LeadStatus.REFERRED, LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE],
    LeadStatus.ADMITTED: [LeadStatus.CONTACTING],
    LeadStatus.REFERRED: [LeadStatus.CONTACTING],
    LeadStatus.NOT_A_FIT: [LeadStatus.CONTACTING],
    LeadStatus.UNREACHABLE: [LeadStatus.CONTACTING],
    LeadStatus.MERGED: [],
}


# The admissions path: the moves `Lead.advance` makes as the work happens (a screen finished, a
# clinician's decision, a bed held, a hold released, a place on a waitlist). Not offered by hand.
ADMISSION_PATH: dict[str, list[str]] = {
    LeadStatus.REACHED: [LeadStatus.AWAITING_REVIEW],
    LeadStatus.ASSESSMENT_SCHEDULED: [LeadStatus.AWAITING_REVIEW],
    LeadStatus.MORE_INFO: [LeadStatus.AWAITING_REVIEW],
    LeadStatus.AWAITING_REVIEW: [LeadStatus.ACCEPTED, LeadStatus.MORE_INFO, LeadStatus.REFER_OUT],
    LeadStatus.ACCEPTED: [LeadStatus.ADMISSION_SCHEDULED, LeadStatus.WAITLISTED, LeadStatus.AWAITING_REVIEW],
    LeadStatus.WAITLISTED: [LeadStatus.ADMISSION_SCHEDULED, LeadStatus.ACCEPTED],
    LeadStatus.ADMISSION_SCHEDULED: [LeadStatus.ACCEPTED, LeadStatus.WAITLISTED],
    LeadStatus.REFER_OUT: [LeadStatus.AWAITING_REVIEW],
}


class AttemptOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    VOICEMAIL = "voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    TEXT_SENT = "text_sent", "Text sent"


class WorkflowError(Exception):
    """A change the workflow does not allow; its message is shown to the staff member."""


class ClaimedByAnother(WorkflowError):
    """A write to a lead someone else has claimed, by someone who is not a supervisor."""


class ForWhom(models.TextChoices):
    SELF = "self", _("Myself")
    LOVED_ONE = "loved_one", _("A loved one")


class BestTime(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    MORNING = "morning", _("Morning (8 a.m.–12 p.m.)")
    AFTERNOON = "afternoon", _("Afternoon (12–5 p.m.)")
    EVENING = "evening", _("Evening (5–8 p.m.)")


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WEBHOOK = "webhook", "Team chat"


class LevelOfCare(models.TextChoices):
    """The levels of care a treatment centre admits to, in the order of intensity. The same codes
    name a level in an insurance answer (verification.eligibility) and in an admission."""

    DETOX = "detox", "Detox"
    RESIDENTIAL = "residential", "Residential"
    PHP = "php", "Partial hospitalization (PHP)"
    IOP = "iop", "Intensive outpatient (IOP)"
    OUTPATIENT = "outpatient", "Outpatient"


class NotAFitReason(models.TextChoices):
    """Why a lead was closed as not a fit: few enough to count on the metrics page, with a note
    for what the list does not say."""

    HIGHER_LEVEL = "higher_level", "Needs a higher level of care than we offer"
    LOWER_LEVEL = "lower_level", "Needs a lower level of care"
    MEDICAL = "medical", "Medical needs beyond what the centre can manage"
    AGE = "age", "Outside the ages we treat"
    COST = "cost", "Insurance or cost"
    DECLINED = "declined", "Declined treatment"
    OTHER = "other", "Other (say why in the note)"
