"""Every URL of the project, tried by people who must not get in.

The sweep walks the whole URL tree (namespaces, include()s, the admin, third-party apps),
builds a real URL for each pattern from objects made in a fixture, and checks it:

- anonymous visitors are sent to a login page, or get 403/404/405, never the page;
- Morgan, signed in but in no group and not staff, gets 403/404/405 (admin-side pages may
  send Morgan to a login page instead), never the page;
- an admissions worker gets 403 on the supervisors' pages and cannot edit a colleague's roster row;
- a record id that does not exist gives 404.

Only the names in PUBLIC (and OWN_ACCOUNT, for signed-in people) are let through. A pattern
the sweep does not know is protected by default: adding a URL without protection fails here,
and so does adding one the sweep cannot build a URL for.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from admissions.models import (
    Admission,
    ClinicalDecision,
    EstimateEmail,
    GoodFaithEstimate,
    Partner,
    PhoneScreen,
    Referral,
    ReferralConsent,
    VisitorReminder,
    WaitlistEntry,
)
from articles.models import Article, Category, MedicalReviewer
from config.urls import urlpatterns as project_urlpatterns
from intake.models import ContactAttempt, Lead, LeadNote, Part2Consent, StaffProfile
from texting.models import OutgoingText, TextTemplate
from verification.models import EligibilityCheck, Payer, VerificationRequest

from .conftest import sign_in

# Pages anybody may open. Everything else is protected.
PUBLIC = {
    "home",
    "programmes",
    "language_assistance",
    "callback",
    "callback_thanks",
    "verification:verify",
    "verification:thanks",
    "privacy",
    "part2_notice",
    "terms",
    "healthz",
    "articles:list",
    "articles:category",
    "articles:detail",
    "articles:feed",
    "sitemap",
    "robots",
    "media",
    "staff:login",
}

# A signed-in person's own sign-in and security pages: closed to anonymous visitors, open to
# anybody signed in whatever their role (an admin or an article reviewer enrols a second
# factor too). They show nothing about visitors.
OWN_ACCOUNT = {
    "staff:logout",
    "staff:mfa",
    "staff:security",
    "staff:recovery_codes",
    "staff:new_recovery_codes",
    "staff:sign_out_everywhere",
}

# Where a denied person may be sent to sign in (or to finish signing in).
LOGIN_PAGES = {"staff:login", "staff:mfa", "admin:login"}

# Supervisors only: speed-to-lead figures, the export, who looked at a lead, handing leads out,
# undoing a merge.
SUPERVISOR_ONLY = ["staff:metrics", "staff:metrics_csv", "staff:lead_audit", "staff:assign", "staff:undo_merge"]

DENIED = {403, 404, 405}
REDIRECTS = {301, 302, 303, 307, 308}
MISSING_ID = 987_654_321


# --- Walking the URL tree ------------------------------------------------------------------------


@dataclass
class Route:
    """One URL pattern, with the chain of patterns (outermost first) that leads to it."""

    chain: list  # pattern objects: RoutePattern / RegexPattern / LocalePrefixPattern
    pattern: URLPattern
    namespace: str

    @property
    def name(self) -> str:
        if self.pattern.name is None:
            return f"{self.namespace}:<unnamed>" if self.namespace else "<unnamed>"
        return f"{self.namespace}:{self.pattern.name}" if self.namespace else self.pattern.name

    @property
    def route(self) -> str:
        return "".join(str(part) for part in self.chain)

    @property
    def admin_side(self) -> bool:
        # Django's admin (and anything guarded like it) sends the unauthorised to its login.
        return self.namespace.split(":")[0] == "admin" or self.name == "articles:preview"

    def __str__(self) -> str:
        return f"{self.name} ({self.route})"


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, chain, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, [*chain, entry.pattern], inner)
            elif isinstance(entry, URLPattern):
                routes.append(Route([*chain, entry.pattern], entry, namespace))
            else:  # pragma: no cover - Django has no third kind today
                raise AssertionError(f"Unknown URL entry {entry!r}: teach the sweep about it")

    walk(get_resolver().url_patterns, [], "")
    return routes


# --- Building a concrete URL for a pattern ---------------------------------------------------------

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


class CannotBuild(Exception):
    pass


def _group_end(regex: str, start: int) -> int:
    """Index of the ')' closing the group opened at regex[start]."""
    depth, i, in_class = 0, start, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise CannotBuild(f"unbalanced group in {regex!r}")


def _fill_regex(regex: str, choose) -> str:
    """Replace every capturing group of a URL regex with a value that matches it."""
    out, i, position = [], 0, 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if char == "(":
            end = _group_end(regex, i)
            body = regex[i + 1 : end]
            named = re.match(r"\?P<(?P<name>\w+)>", body)
            if named:
                out.append(re.escape(choose(named["name"], body[named.end() :])))
            elif body.startswith("?"):
                raise CannotBuild(f"regex construct {body[:3]!r} in {regex!r}")
            else:
                out.append(re.escape(choose(f"#{position}", body)))
                position += 1
            i = end + 1
            continue
        out.append(char)
        i += 1
    text = "".join(out).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    if re.search(r"(?<!\\)[\[\]()*+?{}|^$]", text):
        raise CannotBuild(f"cannot turn {regex!r} into a plain path")
    return re.sub(r"\\(.)", r"\1", text)


@dataclass
class World:
    """The records the sweep's URLs point at."""

    lead: Lead
    verification: VerificationRequest
    article: Article
    draft: Article
    category: Category
    worker: User  # an admissions worker whose roster row others try to edit
    referral: object = None  # admissions: a referral out of `lead`
    referral_consent: object = None  # admissions: a Part 2 consent naming the referral's partner


def _admin_model(route: Route):
    parts = route.route.split("/")
    if len(parts) > 2 and parts[0] == "admin":
        try:
            return apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            return None
    return None


def candidates(route: Route, name: str, world: World, missing: str | None = None) -> list[str]:
    """Values to try for the URL parameter `name` of `route`, best first. With `missing`
    set to a parameter name, that one gets an id no record has."""
    if missing == name:
        return [str(MISSING_ID)]
    model = _admin_model(route)
    specific = {
        ("articles:preview", "pk"): [world.draft.pk],
        ("admin:view_on_site", "content_type_id"): [ContentType.objects.get_for_model(Lead).pk],
        ("admin:view_on_site", "object_id"): [world.lead.pk],
    }
    by_name = {
        "lead_id": [world.lead.pk],
        "verification_id": [world.verification.pk],
        "user_id": [world.worker.pk],
        "referral_id": [world.referral.pk] if world.referral else [],
        "consent_id": [world.referral_consent.pk] if world.referral_consent else [],
        "slug": [world.article.slug],
        "category_slug": [world.category.slug],
        "side": ["front"],
        "path": ["articles/no-such-image.jpg"],
        "url": ["no-such-page/"],
        "app_label": [config.label for config in apps.get_app_configs()],
    }
    values = specific.get((route.name, name)) or by_name.get(name)
    if values is None and (name in ("pk", "id", "object_id", "#0") and model is not None):
        obj = model._default_manager.order_by("pk").first()
        values = [obj.pk if obj else 1]
    fallback = [world.lead.pk, "1", "front", "x", str(uuid.uuid4()), "2026-01-01"]
    return [str(value) for value in [*(values or []), *fallback]]


def build_url(route: Route, world: World, missing: str | None = None) -> str:
    pieces = []
    for part in route.chain:
        if isinstance(part, RoutePattern):  # a path() route
            converters = part.converters

            def fill(match, converters=converters):
                name = match["parameter"]
                converter = converters[name]
                for value in candidates(route, name, world, missing):
                    if re.fullmatch(converter.regex, value):
                        return converter.to_url(converter.to_python(value))
                raise CannotBuild(f"no value fits <{match[0][1:-1]}>")

            pieces.append(_ROUTE_PARAMETER.sub(fill, str(part)))
        elif isinstance(part, RegexPattern):  # a re_path() regex

            def choose(name, body):
                for value in candidates(route, name, world, missing):
                    if re.fullmatch(body, value):
                        return value
                raise CannotBuild(f"no value fits group {name} ({body})")

            pieces.append(_fill_regex(part._regex, choose))
        else:
            pieces.append(str(part))
    url = "/" + "".join(pieces)
    try:
        match = resolve(url)
    except Resolver404:
        raise CannotBuild(f"{url} does not resolve") from None
    if match.func is not route.pattern.callback:
        raise CannotBuild(f"{url} resolves to {match.view_name or match.func!r} instead")
    return url


def url_params(route: Route) -> list[str]:
    names = []
    for part in route.chain:
        if isinstance(part, RoutePattern):
            names += [m["parameter"] for m in _ROUTE_PARAMETER.finditer(str(part))]
        elif isinstance(part, RegexPattern):
            names += re.findall(r"\(\?P<(\w+)>", part._regex)
    return names


# --- Asking, and judging the answer ------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    path: str  # where the visitor ended up, after following redirects on this site
    view_name: str
    hops: list

    @property
    def at_login(self) -> bool:
        return self.status == 200 and self.view_name in LOGIN_PAGES

    def __str__(self) -> str:
        trail = " -> ".join(self.hops + [f"{self.path} {self.status}"])
        return trail


def ask(client: Client, method: str, url: str) -> Answer:
    response = client.get(url) if method == "GET" else client.post(url, {})
    hops = []
    while response.status_code in REDIRECTS and len(hops) < 6:
        hops.append(f"{response.request['PATH_INFO']} {response.status_code}")
        location = urlsplit(response["Location"])
        if location.netloc and location.netloc != "testserver":
            return Answer(response.status_code, response["Location"], "<off-site>", hops)
        response = client.get(location.path + (f"?{location.query}" if location.query else ""))
    final = response.request["PATH_INFO"]
    try:
        view_name = resolve(final).view_name
    except Resolver404:
        view_name = ""
    return Answer(response.status_code, final, view_name, hops)


def protected_urls(world: World, problems: list[str], select=lambda route: True):
    """(route, url) for every URL pattern not in PUBLIC; a pattern the sweep cannot build a URL
    for is added to `problems`."""
    for route in all_routes():
        if route.name in PUBLIC or not select(route):
            continue
        try:
            yield route, build_url(route, world)
        except CannotBuild as exc:
            problems.append(f"{route}: the sweep cannot build a URL ({exc}); teach candidates() its parameters")


def sweep(world: World, nobody: User, select=lambda route: True) -> list[str]:
    """Try every protected URL as an anonymous visitor and as Morgan; list what let them in."""
    has_second_factor_step = getattr(__import__("conftest"), "verify_second_factor", None) is not None
    morgan = sign_in(Client(), nobody)
    problems = []
    for route, url in protected_urls(world, problems, select):
        for method in ("GET", "POST"):
            answer = ask(Client(), method, url)
            if not (answer.status in DENIED or answer.at_login):
                problems.append(f"anonymous {method} {url} [{route.name}]: {answer}")

            if "_auth_user_id" not in morgan.session:  # signed out by the last URL (logout)
                sign_in(morgan, nobody)
            answer = ask(morgan, method, url)
            if route.name in OWN_ACCOUNT:
                ok = answer.status < 500
            else:
                ok = answer.status in DENIED
                ok = ok or (route.admin_side and answer.at_login)
                # Without the project's second-factor helper, the second-factor page is the wall.
                ok = ok or (not has_second_factor_step and answer.status == 200 and answer.view_name == "staff:mfa")
            if not ok:
                problems.append(f"no-group user {method} {url} [{route.name}]: {answer}")
    return problems


# --- Fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def world(staff) -> World:
    category = Category.objects.create(name="Withdrawal", slug="withdrawal-sweep")
    reviewer_login = User.objects.create_user("dr-sweep", "sweep@lantern.example", "x", is_staff=True)
    reviewer = MedicalReviewer.objects.create(name="Dr Sweep", user=reviewer_login)
    common = {"category": category, "reviewer": reviewer, "body": "## Part\n\nText.", "summary": "S"}
    article = Article.objects.create(title="Live", slug="live-sweep", publish_at=timezone.now(), **common)
    article.approve(by=reviewer_login)
    article.publish()
    draft = Article.objects.create(title="Draft", slug="draft-sweep", status=Article.Status.DRAFT, **common)
    lead = Lead.objects.create(
        name="Jordan Whitlock",
        phone="+14155552671",
        ok_to_voicemail=True,
        sla_due_at=timezone.now() + dt.timedelta(minutes=15),
        ok_to_text=True,  # so that a text let through would be queued, and seen in the snapshot
    )
    payer, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    maya = Lead.objects.create(kind="verification", name="Maya Okonkwo", phone="+16465550173")
    asked = maya.requests.create(kind="verification", consent_version="v", consent_at=timezone.now())
    # Her Part 2 consent, so that staff may work the check (and its forms re-render with errors).
    Part2Consent.objects.record(
        asked, version="verification-part2-2026-11-30", patient="Maya Okonkwo", recipients=["Aetna"]
    )
    verification = VerificationRequest.objects.create(
        lead=maya,
        lead_request=asked,
        first_name="Maya",
        last_name="Okonkwo",
        date_of_birth=dt.date(1991, 3, 14),
        payer=payer,
        member_id="LNT100001",
    )
    partner = Partner.objects.create(name="Sweep Partner", services=["iop"], phone="(312) 555-0100")
    referral = Referral.objects.create(lead=lead, partner=partner, level_of_care="iop", referred_by=staff["avery"])
    signed = ReferralConsent.objects.create(
        lead=lead,
        partner=partner,
        method="signed_form",
        patient_name="Sweep Person",
        signed_by="Sweep Person",
        signed_on=dt.date(2026, 1, 2),
        kinds=["name_phone"],
        expires_on=dt.date(2099, 1, 1),
        recorded_by=staff["avery"],
    )
    return World(
        lead, verification, article, draft, category, worker=staff["blake"], referral=referral, referral_consent=signed
    )


def snapshot() -> dict:
    """What a refused request must not have changed."""
    return {
        "leads": list(
            Lead.objects.order_by("pk").values(
                "status", "assigned_to", "follow_up_at", "merged_into", "facility", "referral_source"
            )
        ),
        "verifications": list(VerificationRequest.objects.order_by("pk").values("status", "outcome")),
        "checks": EligibilityCheck.objects.count(),
        "attempts": ContactAttempt.objects.count(),
        "notes": LeadNote.objects.count(),
        "profiles": list(
            StaffProfile.objects.order_by("pk").values("user", "on_duty", "mobile", "shift_hours", "notify_by_sms")
        ),
        "users": list(User.objects.order_by("pk").values("username", "is_active", "is_staff", "is_superuser")),
        "articles": list(Article.objects.order_by("pk").values("status", "title", "publish_at")),
        "payers": list(Payer.objects.order_by("pk").values("name", "payer_id", "active")),
        "referrals": list(Referral.objects.order_by("pk").values("state")),
        # The admissions path: a refused request must not have screened, decided, held a bed,
        # queued a waitlist place, recorded a consent or issued or sent an estimate.
        "screens": list(PhoneScreen.objects.order_by("pk").values("status", "version")),
        "decisions": ClinicalDecision.objects.count(),
        "admissions": list(Admission.objects.order_by("pk").values("state", "hold_expires_at")),
        "waitlist": list(WaitlistEntry.objects.order_by("pk").values("left_at", "offered_at")),
        "referral_consents": list(ReferralConsent.objects.order_by("pk").values("revoked_on")),
        "estimates": GoodFaithEstimate.objects.count(),
        "estimate_emails": EstimateEmail.objects.count(),
        "visitor_reminders": VisitorReminder.objects.count(),
        # Texting: a refused request must not have texted anyone or changed a prepared text.
        "texts": OutgoingText.objects.count(),
        "prepared_texts": list(TextTemplate.objects.order_by("pk").values("words", "active")),
    }


# --- The tests -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_finds_every_kind_of_url_and_builds_each_one(world):
    routes = all_routes()
    names = {route.name for route in routes}
    # The walk reaches into every include() and namespace.
    for expected in ["staff:lead", "verification:workspace", "articles:preview", "admin:index", "media", "home"]:
        assert expected in names
    assert any(route.route.startswith("admin/intake/") for route in routes)
    unbuildable = []
    for route in routes:
        try:
            build_url(route, world)
        except CannotBuild as exc:
            unbuildable.append(f"{route}: {exc}")
    assert not unbuildable, "\n".join(unbuildable)
    # Every name on the allow-lists is a real URL: a renamed page must not leave a stale entry.
    assert not PUBLIC - names, PUBLIC - names
    assert not OWN_ACCOUNT - names, OWN_ACCOUNT - names


@pytest.mark.django_db
def test_it_lets_no_anonymous_or_no_group_user_into_any_protected_page(world, nobody):
    before = snapshot()

    problems = sweep(world, nobody)

    assert not problems, "Protected URLs that let someone in:\n" + "\n".join(problems)
    assert snapshot() == before, "a refused request changed data"


@pytest.mark.django_db
def test_it_serves_the_public_pages_to_anybody(world):
    client = Client()
    for route in all_routes():
        if route.name not in PUBLIC:
            continue
        url = build_url(route, world)
        response = client.get(url)
        assert response.status_code < 500 or (route.name == "healthz" and response.status_code == 503), url


@pytest.mark.django_db
def test_it_keeps_admissions_workers_out_of_supervisor_pages(world, staff):
    avery, sam = staff["avery"], staff["sam"]
    routes = {route.name: route for route in all_routes()}
    worker = sign_in(Client(), avery)
    for name in SUPERVISOR_ONLY:
        url = build_url(routes[name], world)
        for method in ("GET", "POST"):
            response = worker.get(url) if method == "GET" else worker.post(url, {"assignee": avery.pk})
            assert response.status_code == 403, f"{method} {url}: {response.status_code}"
    world.lead.refresh_from_db()
    assert world.lead.assigned_to is None

    # The same pages open for a supervisor: the 403s above are about the role, not a broken page.
    supervisor = sign_in(Client(), sam)
    for name in ["staff:metrics", "staff:metrics_csv", "staff:lead_audit"]:
        url = build_url(routes[name], world)
        assert supervisor.get(url).status_code == 200, url


@pytest.mark.django_db
def test_it_lets_a_worker_edit_only_their_own_roster_row(world, staff):
    avery, blake = staff["avery"], staff["blake"]
    StaffProfile.objects.filter(user=blake).update(mobile="+12025550143", shift_hours="")
    before = list(StaffProfile.objects.filter(user=blake).values())
    client = sign_in(Client(), avery)
    change = {"on_duty": "", "mobile": "+12025550199", "shift_hours": "mon 00:00-01:00", "notify_by_sms": "on"}

    assert client.get(f"/staff/roster/{blake.pk}/").status_code == 403
    assert client.post(f"/staff/roster/{blake.pk}/", change).status_code == 403
    assert list(StaffProfile.objects.filter(user=blake).values()) == before

    assert client.get(f"/staff/roster/{avery.pk}/").status_code == 200
    response = client.post(f"/staff/roster/{avery.pk}/", change)
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=avery).mobile == "+12025550199"


@pytest.mark.django_db
def test_it_answers_404_for_a_record_that_does_not_exist(world, staff):
    """Every staff URL that takes a record id, asked by a superuser (who passes every role
    check) for an id nobody has, gives 404: never a page, an error or someone else's record."""
    client = sign_in(Client(), staff["admin"])
    checked, problems = [], []
    for route in all_routes():
        if route.name in PUBLIC or (route.admin_side and route.name != "articles:preview"):
            continue  # Django's admin answers a missing id with a redirect to its index
        for param in url_params(route):
            converter = next(
                (
                    part.converters[param]
                    for part in route.chain
                    if isinstance(part, RoutePattern) and param in part.converters
                ),
                None,
            )
            if converter is None or converter.regex != "[0-9]+":
                continue
            url = build_url(route, world, missing=param)
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {})
            checked.append(route.name)
            if response.status_code != 404:
                problems.append(f"{route.name} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert {"staff:lead", "staff:claim", "verification:workspace", "verification:card", "staff:roster_edit"} <= set(
        checked
    )


# --- The sweep catches a hole --------------------------------------------------------------------------


def _leaky_view(request, **kwargs):
    return HttpResponse("Every lead's phone number")


# This module doubles as a URLconf: the project's URLs plus two a careless change might add.
urlpatterns = [
    *project_urlpatterns,
    path("staff/export-everything/", _leaky_view, name="careless_export"),
    path("staff/leads/<int:lead_id>/raw/", _leaky_view, name="careless_raw"),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_it_fails_when_a_new_url_has_no_protection(world, nobody):
    problems = sweep(world, nobody, select=lambda route: route.route.startswith("staff/"))

    assert any("careless_export" in problem and problem.startswith("anonymous GET") for problem in problems)
    assert any("careless_raw" in problem and problem.startswith("no-group user GET") for problem in problems)
    assert all("careless" in problem for problem in problems), problems


# Clinicians only (issue 18): the clinical review list and page, where a lead is decided.
CLINICIAN_ONLY = ["admissions:review_list", "admissions:review"]


@pytest.mark.django_db
def test_it_keeps_admissions_workers_out_of_clinician_pages(world, staff, clinician):
    routes = {route.name: route for route in all_routes()}
    worker = sign_in(Client(), staff["avery"])
    doctor = sign_in(Client(), clinician)
    for name in CLINICIAN_ONLY:
        url = build_url(routes[name], world)
        assert worker.get(url).status_code == 403, url
        assert worker.post(url, {"kind": "more_info", "note": "x"}).status_code == 403, url
        # The same pages open for a clinician: the 403s are about the role, not a broken page.
        assert doctor.get(url).status_code == 200, url
    # And the other way round: the phone screen is the admissions team's.
    assert doctor.get(build_url(routes["admissions:screen"], world)).status_code == 403
