// While an eligibility check runs, ask every 3 seconds whether it has finished, and reload the
// page once when it has: no timed refreshes of a page someone is reading or typing in.
(function () {
  "use strict";
  var note = document.getElementById("check-running");
  if (!note || !window.fetch) return;
  var url = note.getAttribute("data-status-url");
  var timer = window.setInterval(function () {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && !state.running) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () { /* try again on the next tick */ });
  }, 3000);
})();
