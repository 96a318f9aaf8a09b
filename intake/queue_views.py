"""The admissions queue and its search box.

Each row shows the first name the visitor gave (the queue is behind sign-in and a second factor),
so a queue page is PHI access: it is recorded as one audit entry naming the leads it showed, and
a live refresh that shows no lead this session already recorded for the same view (its filters
and page) adds none. Only
the names of the page's rows are read and decrypted. A name or email search also ties the person
searched for to each lead it finds: an access per lead found.
"""

import datetime as dt
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from .alert_health import reaching_nobody_since
from .audit import record_access
from .crypto import decrypt, encrypt, keyed_hash
from .models import Lead
from .permissions import admissions_required
from .queue_rows import queue_rows
from .staff_forms import QUEUE_FILTERS, QueueFilterForm, search_to_params

QUEUE_PAGE_SIZE = 25


class QueuePaginator(Paginator):
    """Counts at most COUNT_CAP leads. An exact COUNT(*) walks every open lead on every
    10-second refresh of every worker's queue (18 ms with 50,000 open leads); past a thousand
    the exact figure helps nobody, and the queue says "1000+". A first page that is not full
    holds the whole list: its length is the count, and no count is run."""

    COUNT_CAP = 1000

    def __init__(self, *args, count_in_order: bool = False, **kwargs):
        # Closed leads are rows updated since they came in: they sit at the far end of the table,
        # and an unordered count reads past every open lead to reach them (15 ms at 50,000). Counted
        # in the list's own order, the count walks the closed leads' index instead (under 1 ms).
        self.count_in_order = count_in_order
        super().__init__(*args, **kwargs)

    @cached_property
    def count(self) -> int:
        leads = self.object_list if self.count_in_order else self.object_list.order_by()
        return leads[: self.COUNT_CAP + 1].count()

    def get_page(self, number):
        if str(number or "1") != "1":
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # fills the cached_property
        return self._get_page(rows, 1, self)

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP


# Encrypted fields the rows do not show are neither read nor decrypted (the name is: a row shows
# its first word).
QUEUE_FIELDS_DEFERRED = ("phone", "email", "phone_hash", "landing_page", "referrer", "utm_term", "utm_content")


@admissions_required
def queue(request: HttpRequest) -> HttpResponse:
    query = _query_without_page(request)
    token = request.GET.get("search", "")
    if not token:
        return _render_queue(request, QueueFilterForm(request.GET), request.GET.get("page"), query)
    kept = request.session.get(SEARCHES_KEY, {}).get(token)
    text = decrypt(kept) if kept else None
    if text is None:  # another session's address, or one this session no longer keeps
        messages.info(request, "That search has ended. Search again.")
        return redirect("staff:queue")
    data = request.GET.copy()
    data["q"] = text
    form = QueueFilterForm(data, text_search=True)
    return _render_queue(request, form, request.GET.get("page"), query, found_by_name=True)


# A name or an email searched for is kept in the session (encrypted, like all PHI: sessions live
# in the database) under a random token; the URL carries only the token, so the address bar, the
# history and the access log never hold the text, and the queue stays an ordinary page (Back,
# Refresh and the auto-refresh all work by GET).
SEARCHES_KEY = "lantern_queue_searches"
SEARCHES_KEPT = 5


@admissions_required
@require_POST
def search(request: HttpRequest) -> HttpResponse:
    """The queue's search box posts here. A reference or a phone (as its keyed hash) goes on to the
    queue's URL; a name or an email stays in the session and the URL gets a token for it."""
    params = search_to_params(request.POST)
    if params is None:
        params = {key: request.POST[key] for key in QUEUE_FILTERS if request.POST.get(key)}
        params["search"] = _keep_search(request, request.POST.get("q", "").strip()[:40])
    response = HttpResponseRedirect(f"{reverse('staff:queue')}?{urlencode(params)}")
    response.status_code = 303  # see other: the browser fetches the queue with GET
    return response


def _keep_search(request: HttpRequest, text: str) -> str:
    kept = request.session.get(SEARCHES_KEY, {})
    token = next((key for key, value in kept.items() if decrypt(value) == text), None) or secrets.token_urlsafe(9)
    kept.pop(token, None)
    kept[token] = encrypt(text)  # newest last; the oldest go
    request.session[SEARCHES_KEY] = dict(list(kept.items())[-SEARCHES_KEPT:])
    return token


NAME_SEARCH_AUDITED = "lantern_name_search_audited"


def _record_name_matches(request: HttpRequest, leads: list[Lead], text: str) -> None:
    """A name or email that finds a lead ties that person to it: an access to each lead shown.
    The session remembers which leads were recorded for this very text (as a keyed hash), so the
    page's 10-second refresh records only leads it had not shown before; nothing the browser
    sends can skip one."""
    searched = keyed_hash(f"staff-search:{' '.join(text.lower().split())}")
    memo = request.session.get(NAME_SEARCH_AUDITED) or {}
    seen = set(memo.get("leads", [])) if memo.get("search") == searched else set()
    new = [lead for lead in leads if lead.pk not in seen]
    for lead in new:
        record_access(request, lead, label=lead.reference, lead_id=lead.pk, found_by="name or email search")
    if new or memo.get("search") != searched:
        request.session[NAME_SEARCH_AUDITED] = {"search": searched, "leads": sorted(seen | {lead.pk for lead in new})}


QUEUE_VIEW_AUDITED = "lantern_queue_views_audited"
# Views (filters and page) whose recorded leads the session remembers: a worker may keep a few tabs
# open (page 1 and page 2, "Mine" beside everyone's), each refreshing every 10 seconds.
QUEUE_VIEWS_REMEMBERED = 8


def _record_queue_view(request: HttpRequest, leads: list[Lead], *, view: str, refreshing: bool) -> None:
    """One access entry for the names a page showed, naming its leads. The page refreshes itself
    every 10 seconds all day: a refresh showing no lead the session already recorded for the same
    view adds none. The session (not the browser) remembers what was recorded, so no header can
    skip one."""
    shown = sorted(lead.pk for lead in leads)
    if not shown:
        return
    recorded = request.session.get(QUEUE_VIEW_AUDITED) or {}
    if refreshing and set(shown) <= set(recorded.get(view, [])):
        return
    record_access(request, Lead, label="Staff queue", lead_ids=shown, view="queue")
    if recorded.get(view) != shown:  # a full load of the same leads need not rewrite the session
        recorded.pop(view, None)
        recorded[view] = shown  # newest last; the oldest views are forgotten
        request.session[QUEUE_VIEW_AUDITED] = dict(list(recorded.items())[-QUEUE_VIEWS_REMEMBERED:])


def _render_queue(
    request: HttpRequest, form: QueueFilterForm, page_number, query: str, found_by_name: bool = False
) -> HttpResponse:
    now = timezone.now()
    # With several facilities each row names its own: read in the same query.
    related = ("assigned_to", "facility") if form.several_facilities else ("assigned_to",)
    leads = form.filter(Lead.objects.select_related(*related), request.user)
    ordered = form.in_order(leads).defer(*QUEUE_FIELDS_DEFERRED)
    page = QueuePaginator(ordered, QUEUE_PAGE_SIZE, count_in_order=form.shows_closed).get_page(page_number)
    shown = list(page.object_list)
    refreshing = bool(request.headers.get("X-Queue-Refresh"))
    _record_queue_view(request, shown, view=f"{query}#{page.number}", refreshing=refreshing)
    if found_by_name:
        _record_name_matches(request, shown, form.data.get("q", ""))
    # The polling script sends the moment of its last look: rows asked for since (a new lead, a
    # repeat request, danger reported again) are marked, and counted for the tab's title.
    since = _last_look(request.headers.get("X-Queue-Since", ""))
    arrived = 0
    if since and shown:
        arrived = leads.filter(last_requested_at__gt=since).order_by()[:100].count()  # "100 new" says enough
    context = {
        "form": form,
        "page": page,
        "rows": queue_rows(shown, now, since),
        "query": query,
        "text_search": form.text_search,
        "several_facilities": form.several_facilities,
        "caption": form.caption(),
        "order_words": form.order_words(),
        "looked": int(now.timestamp() * 1000),
        "arrived": arrived,
        "alerts_reaching_nobody_since": reaching_nobody_since(now),
    }
    # The page polls itself for new requests; it then needs only the table.
    template = "staff/_queue_region.html" if refreshing else "staff/queue.html"
    return render(request, template, context)


def _last_look(header: str) -> dt.datetime | None:
    """The X-Queue-Since header: milliseconds since the epoch, as the page was given them."""
    if not header.isdigit() or len(header) > 15:
        return None
    return dt.datetime.fromtimestamp(int(header) / 1000, tz=dt.UTC)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
