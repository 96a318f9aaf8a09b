// The insurance card photos open in a viewer on the workspace: zoom, rotate and scroll, by mouse
// or keyboard, without leaving the page. The photo is fetched only when opened, so the audit log's
// "card photo viewed" entry (written by the image's view) matches someone really looking at it.
(function () {
  "use strict";
  var dialog = document.getElementById("card-viewer");
  if (!dialog || typeof dialog.showModal !== "function") return; // the links still open the photo
  var image = dialog.querySelector(".card-viewer-image");
  var stage = dialog.querySelector(".card-viewer-stage");
  var title = document.getElementById("card-viewer-title");
  var status = document.getElementById("card-viewer-status");
  var zoom = 1, turn = 0, opener = null;
  var ZOOMS = [0.5, 0.75, 1, 1.5, 2, 3, 4];

  function show() {
    // Width, not a scale transform, so a zoomed photo makes the stage scroll to every edge.
    image.style.width = (zoom * 100) + "%";
    image.style.transform = turn ? "rotate(" + turn + "deg)" : "";
    image.setAttribute("data-zoom", String(zoom));
    image.setAttribute("data-rotation", String(turn));
    status.textContent = "Zoom " + Math.round(zoom * 100) + "%, rotated " + turn + "°. Keys: + and − zoom, R rotates, 0 resets, arrows scroll, Esc closes.";
  }

  function step(direction) {
    var at = ZOOMS.indexOf(zoom);
    zoom = ZOOMS[Math.min(Math.max(at + direction, 0), ZOOMS.length - 1)];
    show();
  }

  var actions = {
    "zoom-in": function () { step(1); },
    "zoom-out": function () { step(-1); },
    "rotate": function () { turn = (turn + 90) % 360; show(); },
    "reset": function () { zoom = 1; turn = 0; show(); },
    "close": function () { dialog.close(); }
  };

  document.querySelectorAll(".card-open").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      opener = link;
      zoom = 1;
      turn = 0;
      title.textContent = link.getAttribute("data-card-label");
      image.alt = "Insurance card photo: " + link.getAttribute("data-card-label").toLowerCase();
      image.src = link.href;
      show();
      dialog.showModal();
      stage.focus();
    });
  });

  dialog.addEventListener("click", function (event) {
    var button = event.target.closest("[data-card-action]");
    if (button) actions[button.getAttribute("data-card-action")]();
  });

  dialog.addEventListener("keydown", function (event) {
    if (event.target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    var key = event.key;
    var action = { "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", "_": "zoom-out", "r": "rotate", "R": "rotate", "0": "reset" }[key];
    if (action) {
      event.preventDefault();
      actions[action]();
    }
  });

  dialog.addEventListener("close", function () {
    image.removeAttribute("src"); // the decrypted photo does not linger in the page
    if (opener) opener.focus();
  });
})();
