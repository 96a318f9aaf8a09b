"""An insurance verification is part of its person's lead: it comes in through intake's front door,
shows on the staff lead page, follows the person in a merge (and goes back on undo), is worked only
by whoever works the lead, and is cared for by retention and key rotation (verification registers
itself with intake as a lead part: verification.lead_part)."""

import datetime as dt
import io
import json
import types

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.urls import reverse

from intake.models import ContactAttempt, Lead, LeadMerge, LeadNote, LeadRequest, LeadStatus, Notification
from intake.retention import PLACEHOLDER_DATE, REMOVED, anonymise_expired
from intake.tests.helpers import JORDAN, closed_lead, raw, rotate_keys
from verification import cards
from verification.models import EligibilityCheck, Payer, VerificationRequest

from .conftest import jpeg_bytes

CLAIMED = "Claimed by avery; ask them or a supervisor."
MAYA = {"first_name": "Maya", "last_name": "Okonkwo", "member_id": "LNT100001", "staff_summary": "Deductible met"}
PHI = [*JORDAN.values(), "Jordan", "Whitlock", "Maya", "Okonkwo", "LNT100001", "1991-03-14", "Deductible"]


def card_photo() -> io.BytesIO:
    out = io.BytesIO(jpeg_bytes((64, 40)))
    out.name = "card.jpg"
    return out


def store_card() -> str:
    return cards.store(cards.CleanImage(jpeg_bytes((64, 40)), 64, 40))


def add_verification(lead: Lead, *, card_files: bool = True) -> VerificationRequest:
    verification = VerificationRequest.objects.create(
        lead=lead,
        date_of_birth=dt.date(1991, 3, 14),
        subscriber_first_name="Maya",
        subscriber_last_name="Okonkwo",
        subscriber_date_of_birth=dt.date(1991, 3, 14),
        card_front=store_card() if card_files else "",
        card_back=store_card() if card_files else "",
        **MAYA,
    )
    EligibilityCheck.objects.create(
        verification=verification,
        gateway="sandbox",
        status="done",
        coverage_status="active",
        summary_json=json.dumps({"first_name": "Maya", "member_id": "LNT100001"}),
        raw_payload="NM1*IL*1*OKONKWO*MAYA****MI*LNT100001~",
    )
    return verification


# --- Through the front door, on the lead page, in a merge -----------------------------------------


@pytest.mark.django_db
def test_a_callback_then_an_insurance_check_from_one_phone_is_one_lead_with_two_requests(
    client, staff, visitor_data, settings
):
    settings.ELIGIBILITY_GATEWAY = "sandbox"
    payer = Payer.objects.filter(active=True).exclude(payer_id="").first()
    client.post("/callback/", {**visitor_data, "best_time": "asap"})
    response = client.post(
        "/verify/",
        {
            "first_name": "Ezekiel",
            "last_name": "Whitlock",
            "date_of_birth": "1990-04-27",
            "phone": "415 555 2671",
            "payer": str(payer.pk),
            "member_id": "ABC123456",
            "relationship": "self",
            "best_time": "asap",
            "consent": "on",
            "card_front": card_photo(),
        },
    )

    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.request_count == 2
    assert list(lead.requests.values_list("kind", flat=True)) == ["callback", "verification"]
    verification = VerificationRequest.objects.get()
    assert verification.lead == lead and verification.lead_request == lead.requests.last()
    assert lead.name == "Jordan Whitlock"  # the insurance form's patient name sits on its own request
    assert lead.kind == "verification"  # the queue shows there is a benefits check to do
    assert Notification.objects.filter(lead=lead, kind="repeat_request").exists()
    assert LeadRequest.objects.count() == 2

    client.force_login(staff["avery"])
    html = client.get(reverse("staff:lead", args=[lead.pk])).content.decode()
    assert verification.get_absolute_url() in html
    assert "Also gave the name <strong>Ezekiel Whitlock</strong>" in html


@pytest.mark.django_db
def test_every_insurance_check_on_a_lead_is_listed_and_merging_moves_them(client, staff, patient_data):
    client.post("/verify/", patient_data)
    client.post("/verify/", {**patient_data, "first_name": "Mallory", "member_id": "XYZ999"})
    lead = Lead.objects.get()
    first, second = VerificationRequest.objects.order_by("pk")

    client.force_login(staff["avery"])
    page = client.get(reverse("staff:lead", args=[lead.pk])).content.decode()
    assert first.get_absolute_url() in page and second.get_absolute_url() in page

    other = Lead.objects.create(name="Maya Okonkwo", phone="+16465550173")
    lead.merge_into(other, by=staff["avery"])
    assert set(other.verifications.all()) == {first, second}


@pytest.mark.django_db
def test_a_check_by_phone_warns_on_the_lead_page_not_to_contact_the_insurer(client, staff, patient_data):
    client.post("/verify/", {**patient_data, "insurer_contact": "by_phone"})
    lead = Lead.objects.get()

    client.force_login(staff["avery"])
    page = client.get(reverse("staff:lead", args=[lead.pk])).content.decode()

    assert f"{lead.requests.get().reference}: call the visitor, do not contact their insurer." in page


@pytest.mark.django_db
def test_a_merge_moves_the_persons_checks_and_undo_puts_them_back(client, staff, patient_data):
    assert client.post("/verify/", patient_data).status_code == 302
    source = Lead.objects.get()
    target = Lead.objects.create(name="Maya Okonkwo", phone="+16465550173")
    checks = sorted(source.verifications.values_list("pk", flat=True))
    assert checks  # the verification app's rows move too

    source.merge_into(target, by=staff["avery"])
    assert LeadMerge.objects.get().moved["verifications"] == checks
    LeadMerge.objects.get().undo(by=staff["sam"], reason="Two sisters sharing one phone")

    assert sorted(source.verifications.values_list("pk", flat=True)) == checks
    assert not target.verifications.exists()


@pytest.mark.django_db
def test_benefits_work_on_a_claimed_lead_is_for_its_owner_or_a_supervisor(client, staff, patient_data):
    assert client.post("/verify/", patient_data).status_code == 302
    verification = VerificationRequest.objects.get()
    verification.lead.claim(by=staff["avery"])
    before = (verification.status, verification.outcome, EligibilityCheck.objects.count())
    url = f"/staff/verifications/{verification.pk}"
    client.force_login(staff["blake"])

    for action, data in [("check", {}), ("verify", {"outcome": "covered"}), ("close", {})]:
        response = client.post(f"{url}/{action}/", data, follow=True)
        assert CLAIMED in response.content.decode(), action

    verification.refresh_from_db()
    assert (verification.status, verification.outcome, EligibilityCheck.objects.count()) == before
    client.force_login(staff["sam"])
    assert CLAIMED not in client.post(f"{url}/close/", follow=True).content.decode()
    verification.refresh_from_db()
    assert verification.status == VerificationRequest.Status.CLOSED


# --- Key rotation ---------------------------------------------------------------------------------


@pytest.fixture
def keys(settings):
    """An old key everything was written under, and a new one to rotate to."""
    keys = types.SimpleNamespace(old=Fernet.generate_key().decode(), new=Fernet.generate_key().decode())
    settings.FIELD_ENCRYPTION_KEYS = [keys.old]
    return keys


@pytest.mark.django_db
def test_it_re_encrypts_a_verification_and_its_checks_under_the_new_key(keys, settings):
    verification = add_verification(closed_lead(status=LeadStatus.NEW, closed_days_ago=None), card_files=False)
    check = verification.checks.get()
    before = {
        (VerificationRequest, "date_of_birth"): raw(VerificationRequest, "date_of_birth", verification.pk),
        (EligibilityCheck, "raw_payload"): raw(EligibilityCheck, "raw_payload", check.pk),
    }
    entries = LogEntry.objects.count()

    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]
    output = rotate_keys()
    settings.FIELD_ENCRYPTION_KEYS = [keys.new]  # the old key is dropped

    verification = VerificationRequest.objects.get()
    assert (verification.first_name, verification.member_id) == ("Maya", "LNT100001")
    assert verification.date_of_birth == dt.date(1991, 3, 14)
    assert "OKONKWO" in EligibilityCheck.objects.get().raw_payload
    pks = {VerificationRequest: verification.pk, EligibilityCheck: check.pk}
    for (model, field), token in before.items():
        now_stored = raw(model, field, pks[model])
        assert now_stored != token
        Fernet(keys.new.encode()).decrypt(now_stored.encode())
        with pytest.raises(InvalidToken):
            Fernet(keys.old.encode()).decrypt(now_stored.encode())
    assert "verification.VerificationRequest.date_of_birth: 1 rotated" in output
    assert "verification.EligibilityCheck.summary_json: 1 rotated" in output
    assert not any(value in output for value in PHI)
    assert LogEntry.objects.count() == entries  # no save signal ran, so the audit log saw nothing


@pytest.mark.django_db
def test_it_re_encrypts_card_photos_in_place(keys, settings):
    name = store_card()

    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]
    output = rotate_keys()
    settings.FIELD_ENCRYPTION_KEYS = [keys.new]

    assert cards.load(name) == jpeg_bytes((64, 40))
    assert [p.name for p in cards.card_root().iterdir()] == [name]  # no temporary file left behind
    assert "card files: 1 rotated" in output


@pytest.mark.django_db
def test_it_leaves_rotated_photos_alone_the_second_time_and_in_a_dry_run(keys, settings):
    rotated = store_card()
    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]
    rotate_keys()
    photo = (cards.card_root() / rotated).read_bytes()

    assert "card files: 0 rotated, 1 already current" in rotate_keys()
    assert (cards.card_root() / rotated).read_bytes() == photo

    settings.FIELD_ENCRYPTION_KEYS = [keys.old]
    waiting = store_card()
    before = (cards.card_root() / waiting).read_bytes()
    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]
    assert "card files: 1 would rotate" in rotate_keys("--dry-run")
    assert (cards.card_root() / waiting).read_bytes() == before


# --- Retention ------------------------------------------------------------------------------------


@pytest.fixture
def retention(settings):
    settings.RETENTION_DAYS = 30
    return settings


@pytest.mark.django_db
def test_it_anonymises_a_verification_with_its_checks_and_deletes_the_card_photos(retention):
    lead = closed_lead(status=LeadStatus.NOT_A_FIT, closed_days_ago=400, kind="verification")
    verification = add_verification(lead)
    photos = [cards.card_root() / name for name in verification.card_names()]
    assert all(p.exists() for p in photos)

    result = anonymise_expired()

    assert (result.leads, result.records["verification"], result.files["verification"]) == (1, 1, 2)
    verification = VerificationRequest.objects.get()
    assert (verification.first_name, verification.last_name, verification.member_id) == (REMOVED,) * 3
    assert (verification.subscriber_first_name, verification.staff_summary) == (REMOVED, REMOVED)
    assert (verification.payer_other, verification.group_number) == ("", "")  # were empty, stay empty
    # The date of birth is required, so it gets a placeholder; the subscriber's is optional.
    assert (verification.date_of_birth, verification.subscriber_date_of_birth) == (PLACEHOLDER_DATE, None)
    assert (verification.card_front, verification.card_back) == ("", "")
    assert not any(p.exists() for p in photos)
    check = EligibilityCheck.objects.get()
    assert (check.summary_json, check.raw_payload) == (REMOVED, REMOVED)
    assert (check.status, check.coverage_status) == ("done", "active")


@pytest.mark.django_db
def test_it_leaves_the_verification_of_a_recently_closed_lead_alone(retention):
    recent = closed_lead(status=LeadStatus.ADMITTED, closed_days_ago=29)
    add_verification(recent)

    assert anonymise_expired().leads == 0

    verification = VerificationRequest.objects.get(lead=recent)  # fresh, not the instance cached on `recent`
    assert verification.member_id == "LNT100001"
    assert all(cards.load(name) == jpeg_bytes((64, 40)) for name in [verification.card_front, verification.card_back])


@pytest.mark.django_db
def test_its_audit_entry_counts_the_photos_and_names_no_phi(retention, staff):
    lead = closed_lead(closed_days_ago=400, kind="verification")
    add_verification(lead)
    LeadNote.objects.create(lead=lead, author=staff["avery"], body="Maya's card is blurred")
    ContactAttempt.objects.create(lead=lead, staff=staff["avery"], outcome="reached")

    anonymise_expired()

    entry = LogEntry.objects.latest("pk")
    assert entry.additional_data["retention"] == "anonymised"
    assert (entry.additional_data["notes"], entry.additional_data["card_files"]) == (1, 2)
    assert (entry.additional_data["verification"], entry.additional_data["eligibility_checks"]) == (1, 1)
    stored = json.dumps([entry.object_repr, entry.changes, entry.changes_text, entry.additional_data])
    assert not any(value in stored for value in PHI)


@pytest.mark.django_db
def test_a_dry_run_counts_verifications_and_card_files_without_changing_anything(retention):
    add_verification(closed_lead(closed_days_ago=400, kind="verification"))
    closed_lead(closed_days_ago=400, phone="+14155550100")
    out = io.StringIO()

    call_command("purge_expired", "--dry-run", stdout=out)

    assert "Would anonymise 2 leads closed more than 30 days ago" in out.getvalue()
    assert "1 insurance verifications, 2 card files to delete" in out.getvalue()
    assert VerificationRequest.objects.get().member_id == "LNT100001"
