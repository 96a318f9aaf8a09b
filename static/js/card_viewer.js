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
  var frame = dialog.querySelector(".card-viewer-frame");
  var ZOOMS = [0.5, 0.75, 1, 1.5, 2, 3, 4];

  function show() {
    // Sizes in pixels, not a scale transform, so a zoomed photo makes the stage scroll to every
    // edge. A rotate transform does not move the layout box: on its side, the photo is laid out
    // in a frame of its turned size and turned into it, else its top would sit above the stage.
    var sideways = turn === 90 || turn === 270;
    var ratio = image.naturalWidth ? image.naturalHeight / image.naturalWidth : 0.63;
    // On its side the photo's width becomes its height: it fits the stage's height at 100%.
    var width = zoom * (sideways ? stage.clientHeight : stage.clientWidth);
    var height = width * ratio;
    image.style.width = width + "px";
    image.style.height = height + "px";
    frame.style.width = (sideways ? height : width) + "px";
    frame.style.height = (sideways ? width : height) + "px";
    // Turned about its top-left corner, then moved back into the frame.
    var shift = {
      90: "translate(" + height + "px, 0) ",
      180: "translate(" + width + "px, " + height + "px) ",
      270: "translate(0, " + width + "px) "
    }[turn];
    image.style.transform = turn ? shift + "rotate(" + turn + "deg)" : "";
    image.setAttribute("data-zoom", String(zoom));
    image.setAttribute("data-rotation", String(turn));
    status.textContent = "Zoom " + Math.round(zoom * 100) + "%, rotated " + turn + "°. Keys: + and − zoom, R rotates, 0 resets, arrows scroll, Esc closes.";
  }

  image.addEventListener("load", show);

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
      dialog.showModal();
      show(); // once open: a closed dialog's stage has no size to fit the photo to
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
