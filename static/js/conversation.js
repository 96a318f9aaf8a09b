// The conversation on the lead page: new texts appear without a reload, and the text box fills from
// a prepared text and counts its characters. Without JavaScript a reload shows everything and the
// server fills in a prepared text left unedited.
(function () {
  "use strict";
  var panel = document.getElementById("conversation");
  if (!panel) return;
  var live = panel.querySelector("[data-conversation-live]");
  var announcer = panel.querySelector("[data-conversation-announcer]");
  var INTERVAL = 8000;

  // Only texts that are new or changed are put in the list: the list is a live region, and a whole
  // list put back every time would be read out again from the top.
  function merge(fresh) {
    var list = live.querySelector("ol.conversation");
    var next = fresh.querySelector("ol.conversation");
    if (!list || !next) return 0;
    var arrived = 0;
    Array.prototype.forEach.call(next.children, function (item) {
      var old = document.getElementById(item.id);
      if (!old) {
        list.appendChild(item.cloneNode(true));
        if (item.classList.contains("text-in")) arrived += 1;
      } else if (old.getAttribute("data-version") !== item.getAttribute("data-version")) {
        old.replaceWith(item.cloneNode(true));
      }
    });
    list.setAttribute("data-marker", next.getAttribute("data-marker") || "");
    var empty = live.querySelector("[data-conversation-empty]");
    if (empty && list.children.length) empty.remove();
    // The crisis protocol comes with the list: shown the moment a text mentions danger.
    var protocol = live.querySelector(".crisis-protocol");
    var freshProtocol = fresh.querySelector(".crisis-protocol");
    if (freshProtocol && !protocol) live.insertBefore(freshProtocol, live.firstChild);
    return arrived;
  }

  function poll() {
    if (document.hidden || !window.fetch) return;
    var list = live.querySelector("ol.conversation");
    var marker = list ? list.getAttribute("data-marker") : "";
    var url = panel.getAttribute("data-poll-url") + "?after=" + encodeURIComponent(marker || "");
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "X-Conversation-Poll": "1" } })
      .then(function (response) {
        if (response.status === 204) return null;
        if (response.redirected || !response.ok) throw new Error("poll failed");
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var fresh = document.createElement("div");
        fresh.innerHTML = html;
        var arrived = merge(fresh);
        if (arrived && announcer) {
          announcer.textContent = arrived === 1 ? "New text from the person." : arrived + " new texts from the person.";
        }
      })
      .catch(function () { /* the next tick tries again */ });
  }
  window.setInterval(poll, INTERVAL);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });

  // The text box: a prepared text fills it, and a counter says how much room is left.
  var form = panel.querySelector(".text-form");
  if (!form) return;
  var body = form.querySelector("[data-text-body]");
  var choice = form.querySelector("[data-text-template]");
  var count = form.querySelector("[data-text-count]");
  if (!body) return;
  var longest = count ? parseInt(count.getAttribute("data-longest"), 10) : 0;
  function counted() {
    if (!count) return;
    count.textContent = body.value.length + " of " + longest + " characters";
  }
  if (count) body.setAttribute("aria-describedby", ((body.getAttribute("aria-describedby") || "") + " text-count").trim());
  body.addEventListener("input", counted);
  if (choice) {
    choice.addEventListener("change", function () {
      var option = choice.options[choice.selectedIndex];
      var words = option && option.getAttribute("data-words");
      if (words) {
        body.value = words;
        counted();
      }
    });
  }
  counted();
})();
