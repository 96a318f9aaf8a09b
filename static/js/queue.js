// Keep the admissions queue current without a reload: fetch the table every 10 seconds and
// swap it in, keeping the worker's filters, page and scroll position. Without JavaScript the
// page works as it is, with a Refresh link.
(function () {
  "use strict";
  var region = document.getElementById("queue-region");
  var announcer = document.getElementById("queue-announcer");
  if (!region || !window.fetch) return;
  var INTERVAL = 10000;
  // A background tab still counts new requests for its title, less often.
  var HIDDEN_INTERVAL = 30000;
  // A row the server flagged (asked for since the last look: new, asked again, danger reported
  // again) stays marked this long after the worker could first see it.
  var NEW_FOR = 120000;
  var marked = {}; // lead id -> {words, since (ms; 0 while the tab is hidden)}
  var title = document.title;
  var unseen = 0;

  // The "alerts are reaching nobody" banner lives outside the refreshed region: replaced only when
  // it changes, so a screen reader reads it once, not on every refresh.
  var alerts = region.querySelector("[data-queue-alerts]");
  if (alerts) region.parentNode.insertBefore(alerts, region);
  function takeAlerts(fragment) {
    var next = fragment.querySelector("[data-queue-alerts]");
    if (!next) return;
    next.parentNode.removeChild(next);
    if (!alerts) {
      alerts = next;
      region.parentNode.insertBefore(alerts, region);
    } else if (alerts.innerHTML !== next.innerHTML) {
      alerts.replaceWith(next);
      alerts = next;
    }
  }

  // Words, not colour alone: a badge saying why (read out with the row), and a highlight that repeats it.
  function markNew() {
    var now = Date.now();
    Array.prototype.forEach.call(region.querySelectorAll("tr[data-lead-id]"), function (row) {
      var id = row.getAttribute("data-lead-id");
      var words = row.getAttribute("data-new");
      if (words) marked[id] = { words: words, since: document.hidden ? 0 : now };
      var mark = marked[id];
      if (!mark || (mark.since && now - mark.since >= NEW_FOR)) return;
      row.classList.add("queue-new");
      var badge = document.createElement("span");
      badge.className = "badge queue-new-badge";
      badge.textContent = mark.words;
      var who = row.querySelector("th");
      if (who) {
        who.insertBefore(document.createTextNode(" "), who.firstChild);
        who.insertBefore(badge, who.firstChild);
      }
    });
  }

  // Screen readers hear of arrivals at most every 30 seconds, the ones since then added up: a busy
  // evening must not talk over a worker on a call every 10 seconds.
  var ANNOUNCE_EVERY = 30000;
  var unannounced = 0;
  var lastAnnounced = 0;
  function announce(added) {
    unannounced += added;
    if (!announcer || !unannounced || Date.now() - lastAnnounced < ANNOUNCE_EVERY) return;
    announcer.textContent = unannounced + " new request" + (unannounced === 1 ? "" : "s") + " in the queue.";
    lastAnnounced = Date.now();
    unannounced = 0;
  }

  // The tab's title counts what arrived since the worker last looked at the page: cleared when
  // they come back to the tab or touch the page.
  function showUnseen() {
    document.title = unseen ? "(" + unseen + " new) " + title : title;
  }
  function seen() {
    if (document.hidden) return;
    unseen = 0;
    showUnseen();
    var now = Date.now();
    Object.keys(marked).forEach(function (id) { if (!marked[id].since) marked[id].since = now; });
  }

  // What the server wrote in the region: data-queue-looked (the moment of its last look at this
  // view, so it flags and counts what was asked for since) and data-queue-arrived (that count).
  function queueData(el, name) {
    var node = el.querySelector("[data-queue-" + name + "]");
    return node ? node.getAttribute("data-queue-" + name) : "";
  }

  var lastFetch = 0;
  function refresh() {
    var now = Date.now();
    if (document.hidden && now - lastFetch < HIDDEN_INTERVAL - 1000) return;
    // Don't move rows under a worker who is pressing a link in the table.
    if (!document.hidden && region.contains(document.activeElement) && document.activeElement !== region) return;
    lastFetch = now;
    fetch(region.getAttribute("data-refresh-url"), {
      headers: { "X-Queue-Refresh": "1", "X-Queue-Since": queueData(region, "looked") },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        if (response.redirected || !response.ok) throw new Error("refresh failed");
        return response.text();
      })
      .then(function (html) {
        var next = document.createElement("div");
        next.innerHTML = html;
        takeAlerts(next);
        region.replaceChildren.apply(region, Array.prototype.slice.call(next.childNodes));
        markNew();
        var added = parseInt(queueData(region, "arrived"), 10) || 0;
        if (added > 0) {
          unseen += added;
          showUnseen();
        }
        announce(added);
      })
      .catch(function () { /* the next tick tries again */ });
  }

  window.setInterval(refresh, INTERVAL);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      seen();
      refresh();
    }
  });
  window.addEventListener("focus", seen);
  document.addEventListener("pointerdown", seen);
  document.addEventListener("keydown", seen);
})();
