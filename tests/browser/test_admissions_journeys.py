"""Issue 18 in a real browser: a lead taken from "reached" through a phone screen with red flags, a
clinician's acceptance, a scheduled admission with a held bed, to admitted (journey A); a person
referred out to a matching partner under a signed consent, the loop closed (journey B); and axe on
each admissions page. Screenshots: artifacts/admissions-*.png."""

import datetime as dt
import email
import re
from decimal import Decimal
from email import policy
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from admissions.models import Admission, Partner, PhoneScreen, Programme, Referral, ReferralState
from admissions.tests.screen_helpers import SEIZURES
from intake.models import Facility, Lead, LeadStatus, LevelOfCare, Notification
from outbox.tests.helpers import deliver
from verification.models import VerificationRequest
from verification.payers import Payer

from .conftest import DESKTOP, shot, sign_in_staff
from .test_accessibility import AxeAudit

pytestmark = pytest.mark.django_db(transaction=True)

NAME, PHONE = "Jordan Whitlock", "+14155552671"
# A full screen, by the ids Django gives each choice (name_index): alcohol, a seizure in a past
# withdrawal, a yes on ASQ question 1 (no on the others and on "right now").
SCREEN_CHECKS = ["id_substances_0", "id_routes_0", "id_withdrawal_history_0", "id_daily_use"]
SCREEN_RADIOS = [
    "id_pregnancy_3",
    "id_asq_2_1",
    "id_asq_3_1",
    "id_asq_4_1",
    "id_asq_5_1",
    "id_overdose_recent_1",
    "id_housing_0",
    "id_legal_0",
    *[f"id_dim{n}_rating_2" for n in range(1, 7)],
]


def maple_house() -> Facility:
    """The default facility, with the provider facts a Good Faith Estimate needs."""
    facility = Facility.objects.default() or Facility.objects.create(name="Maple House", is_default=True)
    Facility.objects.filter(pk=facility.pk).update(
        name="Maple House",
        npi="1234567893",
        tax_id="12-3456789",
        street_address="1 Demo Lane",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )
    facility.refresh_from_db()
    return facility


def residential(capacity: int = 3) -> Programme:
    return Programme.objects.create(
        facility=maple_house(),
        level=LevelOfCare.RESIDENTIAL,
        capacity=capacity,
        typical_length_days=28,
        daily_price=Decimal("650"),
        service_code="H0018",
        accepts_self_pay=True,
    )


def reached_lead(worker, phone: str = PHONE) -> Lead:
    return Lead.objects.create(name=NAME, phone=phone, status=LeadStatus.REACHED, assigned_to=worker)


def email_parts(data: str) -> list:
    """The text parts of a message as the fake SMTP server kept it, decoded."""
    message = email.message_from_string(data, policy=policy.default)
    return [part for part in message.walk() if part.get_content_maintype() == "text"]


def messages(page):
    return page.locator(".messages")


def capacity_line(page):
    return page.locator(".capacity-line").filter(has_text="Residential")


# --- Journey A: reached -> screen with red flags -> accepted -> bed held -> admitted ------------


def test_it_takes_a_reached_lead_through_screen_review_and_a_held_bed_to_admitted(
    live_server, page_factory, staff, clinician, mailbox
):
    programme = residential(capacity=3)
    avery = staff["avery"]
    lead = reached_lead(avery)
    url = live_server.url

    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, url, avery)
    worker.goto(f"{url}/staff/leads/{lead.pk}/")
    worker.get_by_role("link", name="Start the phone screen").click()
    worker.wait_for_url(f"**/staff/leads/{lead.pk}/screen/")

    # A yes on the suicide-risk screen shows the crisis protocol at once, before anything is saved.
    protocol = worker.locator("#crisis-protocol")
    expect(protocol).to_be_hidden()
    worker.check("#id_asq_1_0")
    expect(protocol).to_be_visible()
    expect(protocol).to_contain_text("988")
    for box in SCREEN_CHECKS:
        worker.check(f"#{box}")
    for radio in SCREEN_RADIOS:
        worker.check(f"#{radio}")
    worker.select_option("#id_last_use", "within_24h")
    worker.fill("#id_daily_amount", "a fifth of vodka")
    worker.get_by_role("button", name="Save draft").click()
    expect(messages(worker)).to_contain_text("Draft saved.")

    flags = worker.locator(".screen-flag")
    expect(flags.filter(has_text="Red flag: Medical urgency")).to_contain_text("Seizures or delirium tremens")
    expect(flags.filter(has_text="Red flag: Safety")).to_contain_text("ASQ positive")
    expect(protocol).to_be_visible()
    expect(worker.locator(".screen-suggestion")).to_contain_text("Suggested level of care: Detox")
    shot(worker, "admissions-a1-screen-flags")

    worker.get_by_role("button", name="Complete the screen and send for clinical review").click()
    expect(messages(worker)).to_contain_text("the lead is awaiting clinical review")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.AWAITING_REVIEW

    # Dr Lee was alerted at once, urgently, and the alert names nobody.
    alerts = list(Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG, recipient=clinician))
    assert alerts and all(alert.urgent for alert in alerts)
    deliver(*alerts)
    sent = [m for m in mailbox.wait_for(1, timeout=10) if clinician.email in m["to"]]
    assert sent, "the red-flag alert reached Dr Lee's inbox"
    for message in sent:
        text = " ".join(part.get_content() for part in email_parts(message["data"]))
        assert lead.reference in text
        for phi in ("Jordan", "Whitlock", "555-2671", "5552671", "vodka", "seizure", "alcohol"):
            assert phi.lower() not in text.lower(), phi

    # The clinician accepts the lead for Residential at Maple House, with a note.
    doctor = page_factory(viewport=DESKTOP)
    sign_in_staff(doctor, url, clinician)
    # Signed in, a clinician lands on the clinical review list, their work.
    expect(doctor.get_by_role("heading", level=1)).to_have_text("Awaiting clinical review")
    shot(doctor, "admissions-a2-clinician-signed-in")
    doctor.get_by_role("navigation", name="Staff").get_by_role("link", name="Clinical review").click()
    row = doctor.locator("tbody tr").filter(has_text=lead.reference)
    expect(row).to_contain_text("Jordan")
    expect(row).not_to_contain_text("Whitlock")
    expect(row).to_contain_text("Medical urgency")
    row.get_by_role("link", name=f"Review {lead.reference}").click()
    doctor.get_by_label("Accept for a programme").check()
    doctor.select_option("#id_programme", label="Residential at Maple House")
    doctor.fill("#id_note", "Seizure history: medically monitored withdrawal on day one, then residential.")
    shot(doctor, "admissions-a2-review")
    doctor.get_by_role("button", name="Save the decision").click()
    expect(messages(doctor)).to_contain_text("Decision saved; the admissions worker was told.")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED

    # The worker schedules the admission for tomorrow at 10:00: a bed is held.
    worker.goto(f"{url}/staff/leads/{lead.pk}/")
    expect(worker.locator(".clinical-decision")).to_contain_text("Accept for a programme: Residential at Maple House")
    worker.get_by_role("link", name="Schedule the admission").click()
    expect(worker.locator("#capacity")).to_contain_text("Residential: 3 of 3 beds free")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    worker.fill("#id_admit_at", f"{tomorrow.isoformat()}T10:00")
    expect(worker.locator("#id_programme")).to_have_value(str(programme.pk))
    shot(worker, "admissions-a3-schedule")
    worker.get_by_role("button", name="Hold the bed and schedule").click()
    expect(messages(worker)).to_contain_text(f"{lead.reference}: admission scheduled and a bed held.")
    admission = Admission.objects.get(lead=lead)
    assert admission.state == Admission.State.HELD
    assert timezone.localtime(admission.admit_at).replace(tzinfo=None) == dt.datetime.combine(tomorrow, dt.time(10))

    worker.goto(f"{url}/staff/board/")
    expect(capacity_line(worker)).to_contain_text("2 of 3 beds free · 1 held · 0 occupied")
    expect(worker.locator("section[aria-labelledby=holds-h]")).to_contain_text(f"{lead.reference} Jordan")
    expect(worker.locator("section[aria-labelledby=week-h]")).to_contain_text(lead.reference)
    expect(worker.locator("main")).not_to_contain_text("Whitlock")
    shot(worker, "admissions-a4-board")

    # The calendar invite downloads as an .ics file.
    worker.goto(f"{url}/staff/leads/{lead.pk}/")
    with worker.expect_download() as download_info:
        worker.get_by_role("link", name="Calendar invite (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"admission-{lead.reference}.ics"
    invite = Path(download.path()).read_text(encoding="utf-8")
    assert invite.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in invite
    assert f"DTSTART:{admission.admit_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}Z" in invite
    assert f"SUMMARY:Admission {lead.reference}" in invite and "Whitlock" not in invite

    # On the day the person arrives: the lead closes as admitted and the bed is occupied.
    worker.get_by_role("button", name="Arrived — admit").click()
    expect(messages(worker)).to_contain_text(f"{lead.reference} arrived and is admitted.")
    lead.refresh_from_db()
    admission.refresh_from_db()
    assert (lead.status, lead.admitted_on) == (LeadStatus.ADMITTED, timezone.localdate())
    assert admission.state == Admission.State.OCCUPIED
    worker.goto(f"{url}/staff/board/")
    expect(capacity_line(worker)).to_contain_text("2 of 3 beds free · 0 held · 1 occupied")
    shot(worker, "admissions-a5-board-arrived")
    assert [e for e in worker.console_errors + doctor.console_errors if "status of 4" not in e] == []


# --- Journey B: referred out to a matching partner, under consent, the loop closed -------------


def referral_setup(staff, phone: str = PHONE) -> tuple[Lead, Partner, Partner]:
    """A reached lead insured by Aetna, an IOP partner taking Aetna, and one that does not."""
    aetna, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    cigna, _ = Payer.objects.get_or_create(name="Cigna", defaults={"payer_id": "62308"})
    lead = reached_lead(staff["avery"], phone)
    VerificationRequest.objects.create(
        lead=lead,
        first_name="Jordan",
        last_name="Whitlock",
        date_of_birth=dt.date(1990, 1, 1),
        payer=aetna,
        member_id="W123",
    )
    valley = Partner.objects.create(
        name="Valley Recovery IOP", services=["iop"], phone="(312) 555-0100", intake_hours="Mon-Fri 9-5"
    )
    valley.payers.set([aetna])
    other = Partner.objects.create(name="Lakeside Outpatient", services=["iop"], phone="(312) 555-0111")
    other.payers.set([cigna])
    return lead, valley, other


def test_it_refers_a_person_to_a_matching_partner_under_consent_and_closes_the_loop(live_server, page_factory, staff):
    lead, valley, _ = referral_setup(staff)
    url = live_server.url
    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, url, staff["avery"])
    worker.goto(f"{url}/staff/leads/{lead.pk}/")
    worker.get_by_role("link", name="Refer to a partner").click()
    worker.wait_for_url(f"**/staff/leads/{lead.pk}/refer/")
    worker.select_option("#match-service", "iop")
    worker.get_by_role("button", name="Match").click()
    expect(worker.locator(".partner-list > li").first).to_contain_text("Valley Recovery IOP")
    expect(worker.locator(".partner-list > li").filter(has_text="Lakeside")).to_contain_text("Does not match")

    # The signed consent naming Valley, recorded from the form on file.
    worker.get_by_text("Record a signed consent naming a partner").click()
    worker.select_option("#id_partner", label="Valley Recovery IOP")
    worker.select_option("#id_method", "signed_form")
    worker.fill("#id_patient_name", NAME)
    worker.fill("#id_signed_by", NAME)
    worker.fill("#id_signed_on", timezone.localdate().isoformat())
    worker.check("#id_kinds_0")  # name and phone
    worker.check("#id_states_revocation")
    worker.check("#id_states_hipaa_redisclosure")
    worker.fill("#id_kept_at", "Intake binder, Maple House")
    worker.get_by_role("button", name="Record the consent").click()
    expect(messages(worker)).to_contain_text("Consent naming Valley Recovery IOP recorded (name and phone")

    worker.goto(f"{url}/staff/leads/{lead.pk}/refer/?service=iop")
    expect(worker.locator(f"#partner-{valley.pk}")).to_be_checked()
    worker.select_option("#id_level_of_care", "iop")
    worker.check("#id_shares_0")
    worker.fill("#id_note", "Spoke to Kim at intake; they can see Jordan on Monday.")
    shot(worker, "admissions-b1-refer")
    worker.get_by_role("button", name=re.compile("Send the referral")).click()
    referred = f"Referred to Valley Recovery IOP; {lead.reference} is closed as referred."
    expect(messages(worker)).to_contain_text(referred)
    expect(worker.locator("main")).to_contain_text("42 CFR part 2")
    shot(worker, "admissions-b2-referral")
    referral = Referral.objects.get(lead=lead)

    # The accounting of disclosures lists the share to Valley.
    worker.goto(f"{url}/staff/leads/{lead.pk}/")
    disclosure = worker.locator(".disclosures > li")
    expect(disclosure).to_have_count(1)
    expect(disclosure).to_contain_text("to Valley Recovery IOP")
    expect(disclosure).to_contain_text("What: Name and phone number")
    expect(disclosure).to_contain_text(f"Under: the signed consent RC-{referral.consent_id}.")

    for label, state in (("Partner accepted", ReferralState.ACCEPTED), ("Person arrived", ReferralState.ARRIVED)):
        panel = worker.locator("#referrals")
        panel.get_by_text("Record what happened").click()
        panel.get_by_label("What happened").select_option(label=label)
        panel.get_by_role("button", name="Record").click()
        expect(messages(worker)).to_contain_text(f"Referral to Valley Recovery IOP: {label.lower()}.")
        referral.refresh_from_db()
        assert referral.state == state
    shot(worker, "admissions-b3-closed-loop")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REFERRED
    assert referral.follow_up_due_at is None
    assert not Referral.objects.follow_ups_due(timezone.now() + dt.timedelta(days=365)).exists()
    expect(worker.locator("#referrals")).not_to_contain_text("next follow-up")
    assert worker.console_errors == []


# --- axe on every admissions page ---------------------------------------------------------------


def test_it_keeps_the_admissions_pages_free_of_serious_axe_violations(live_server, page_factory, staff, clinician):
    programme = residential()
    screened = reached_lead(staff["avery"])
    PhoneScreen(lead=screened).complete({**SEIZURES, "asq_1": "yes", "asq_5": "no"}, by=staff["avery"])
    accepted = Lead.objects.create(name="Sam Rivera", phone="+14155550199", status=LeadStatus.REACHED)
    accepted.advance(LeadStatus.AWAITING_REVIEW, by=staff["avery"])
    accepted.advance(LeadStatus.ACCEPTED, by=clinician, programme=programme.pk)
    referred, _, _ = referral_setup(staff, phone="+14155550142")
    url = live_server.url

    page = page_factory(viewport=DESKTOP, bypass_csp=True)
    audit = AxeAudit(page, "admissions")
    sign_in_staff(page, url, staff["avery"])
    pages = [
        ("screen", f"/staff/leads/{screened.pk}/screen/"),
        ("schedule", f"/staff/leads/{accepted.pk}/admission/"),
        ("board", "/staff/board/"),
        ("refer", f"/staff/leads/{referred.pk}/refer/?service=iop"),
        ("partners", "/staff/partners/"),
        ("gfe", f"/staff/leads/{accepted.pk}/good-faith-estimate/"),
    ]
    for name, path in pages:
        page.goto(url + path)
        audit.check(name)  # and a screenshot, artifacts/a11y-admissions-<name>.png

    doctor = page_factory(viewport=DESKTOP, bypass_csp=True)
    doctor_audit = AxeAudit(doctor, "admissions-review")
    sign_in_staff(doctor, url, clinician)
    doctor.goto(f"{url}/staff/leads/{screened.pk}/review/")
    doctor_audit.check("review")
    audit.assert_clean()
    doctor_audit.assert_clean()
