// Keep the admissions queue current without a reload: fetch the table every 10 seconds and
// swap it in, keeping the worker's filters, page and scroll position. Without JavaScript the
// page works as it is, with a Refresh link.
(function () {
  "use strict";
  var region = document.getElementById("queue-region");
  var announcer = document.getElementById("queue-announcer");
  if (!region || !window.fetch) return;
  var INTERVAL = 10000;
  // A row that was not on the page before stays marked "New" this long (a worker may be looking away).
  var NEW_FOR = 120000;
  var known = {};
  var arrivedAt = {};

  function rows() {
    return Array.prototype.slice.call(region.querySelectorAll("tr[data-lead-id]"));
  }

  // Words, not colour alone: a "New" badge (read out with the row), and a highlight that repeats it.
  function markNew() {
    var now = Date.now();
    rows().forEach(function (row) {
      var id = row.getAttribute("data-lead-id");
      if (!known[id]) {
        known[id] = true;
        arrivedAt[id] = now;
      }
      if (arrivedAt[id] && now - arrivedAt[id] < NEW_FOR) {
        row.classList.add("queue-new");
        var badge = document.createElement("span");
        badge.className = "badge queue-new-badge";
        badge.textContent = "New";
        var who = row.querySelector("th");
        if (who) {
          who.insertBefore(document.createTextNode(" "), who.firstChild);
          who.insertBefore(badge, who.firstChild);
        }
      }
    });
  }
  rows().forEach(function (row) { known[row.getAttribute("data-lead-id")] = true; });

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

  // The newest lead id this filter has shown; the server counts those that arrived after it.
  function read(el, name) {
    var node = el.querySelector("[data-queue-" + name + "]");
    return node ? parseInt(node.getAttribute("data-queue-" + name), 10) || 0 : 0;
  }

  function refresh() {
    if (document.hidden) return;
    // Don't move rows under a worker who is pressing a link in the table.
    if (region.contains(document.activeElement) && document.activeElement !== region) return;
    fetch(region.getAttribute("data-refresh-url"), {
      headers: { "X-Queue-Refresh": "1", "X-Queue-Since": String(read(region, "latest")) },
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
        region.replaceChildren.apply(region, Array.prototype.slice.call(next.childNodes));
        markNew();
        var added = read(region, "arrived");
        if (added > 0) {
          document.title = "(" + added + " new) " + document.title.replace(/^\(\d+ new\) /, "");
        }
        announce(added);
      })
      .catch(function () { /* the next tick tries again */ });
  }

  window.setInterval(refresh, INTERVAL);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
