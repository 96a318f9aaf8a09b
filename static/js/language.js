// The browser's language as a suggestion, never a redirect (templates/includes/language_suggestion.html):
// shows the hidden note written in the language the browser prefers, when that is not the page's own,
// until the visitor closes it once. A file of its own: the CSP allows no inline script.
(function () {
  "use strict";
  var KEY = "lantern-language-suggestion-closed";

  function closed() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (error) {
      return false; // storage blocked (private mode): the note can still be closed for this page
    }
  }

  function remember() {
    try {
      window.localStorage.setItem(KEY, "1");
    } catch (error) {
      /* nothing to remember it in */
    }
  }

  // The first of the browser's languages that this site has decides: "es-US, en" prefers Spanish.
  function preferred(offered) {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).toLowerCase().split("-")[0];
      if (offered.indexOf(code) !== -1) return code;
    }
    return null;
  }

  function start() {
    if (closed()) return;
    var page = (document.documentElement.lang || "").toLowerCase().split("-")[0];
    var notes = document.querySelectorAll("[data-language-suggestion]");
    var offered = [page];
    for (var i = 0; i < notes.length; i++) offered.push(notes[i].getAttribute("data-language-suggestion"));
    var choice = preferred(offered);
    if (!choice || choice === page) return;
    for (var j = 0; j < notes.length; j++) {
      var note = notes[j];
      if (note.getAttribute("data-language-suggestion") !== choice) continue;
      note.hidden = false;
      note.querySelector(".btn-close").addEventListener("click", function (event) {
        remember();
        event.currentTarget.closest("[data-language-suggestion]").hidden = true;
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
