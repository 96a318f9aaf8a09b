// The article body's editor in the admin: a Markdown toolbar, and beside the text a live preview
// rendered by the server with the public page's own renderer (so what you see is what visitors
// get, sanitiser included). Also numbers new source rows. Without JavaScript the plain text area
// and the "Preview" link still work.
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 400; // after the last key: one request per pause, not per keystroke

  // Each tool: a label read by screen readers, the short text shown, and what it does.
  var TOOLS = [
    { label: "Heading (level 2)", text: "H2", run: function (ed) { prefixLines(ed, "## "); } },
    { label: "Sub-heading (level 3)", text: "H3", run: function (ed) { prefixLines(ed, "### "); } },
    { label: "Bold", text: "B", key: "b", run: function (ed) { wrap(ed, "**", "**", "bold text"); } },
    { label: "Italic", text: "I", key: "i", run: function (ed) { wrap(ed, "_", "_", "italic text"); } },
    { label: "Link", text: "Link", key: "k", run: insertLink },
    { label: "Bulleted list", text: "• List", run: function (ed) { prefixLines(ed, "- "); } },
    { label: "Numbered list", text: "1. List", run: numberLines },
    { label: "Quote", text: "“ Quote", run: function (ed) { prefixLines(ed, "> "); } },
    { label: "Table", text: "Table", run: insertTable }
  ];

  function replaceSelection(textarea, replacement, selectFrom, selectTo) {
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    textarea.focus();
    var start = textarea.selectionStart;
    var done = false;
    try { done = document.execCommand("insertText", false, replacement); } catch (e) { done = false; }
    if (!done || textarea.value.substr(start, replacement.length) !== replacement) {
      textarea.setRangeText(replacement, start, textarea.selectionEnd, "end");
    }
    textarea.setSelectionRange(start + selectFrom, start + selectTo);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function selected(textarea) {
    return textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
  }

  function wrap(textarea, before, after, placeholder) {
    var inner = selected(textarea) || placeholder;
    replaceSelection(textarea, before + inner + after, before.length, before.length + inner.length);
  }

  function selectWholeLines(textarea) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = value.indexOf("\n", textarea.selectionEnd);
    if (end === -1 || (textarea.selectionEnd > textarea.selectionStart && value[textarea.selectionEnd - 1] === "\n")) {
      end = end === -1 ? value.length : textarea.selectionEnd - 1;
    }
    textarea.setSelectionRange(start, end);
  }

  function prefixLines(textarea, prefix) {
    selectWholeLines(textarea);
    var lines = selected(textarea).split("\n").map(function (line) {
      return prefix + line.replace(/^(#{1,6} |> |- |\d+\. )/, "");
    });
    var text = lines.join("\n");
    replaceSelection(textarea, text, text.length, text.length);
  }

  function numberLines(textarea) {
    selectWholeLines(textarea);
    var lines = selected(textarea).split("\n").map(function (line, n) {
      return (n + 1) + ". " + line.replace(/^(- |\d+\. )/, "");
    });
    var text = lines.join("\n");
    replaceSelection(textarea, text, text.length, text.length);
  }

  function insertLink(textarea) {
    var words = selected(textarea) || "link text";
    var text = "[" + words + "](https://)";
    // The address is selected, ready to be typed over.
    replaceSelection(textarea, text, words.length + 3, text.length - 1);
  }

  function insertTable(textarea) {
    var before = textarea.selectionStart > 0 && textarea.value[textarea.selectionStart - 1] !== "\n" ? "\n\n" : "";
    var table = before + "| Column | Column |\n| --- | --- |\n| Cell | Cell |\n";
    var first = before.length + 2;
    replaceSelection(textarea, table, first, first + "Column".length);
  }

  function buildToolbar(textarea) {
    var bar = document.createElement("div");
    bar.className = "article-editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", textarea.id);
    TOOLS.forEach(function (tool, n) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool.text;
      button.setAttribute("aria-label", tool.label);
      button.title = tool.label + (tool.key ? " (Ctrl+" + tool.key.toUpperCase() + ")" : "");
      button.tabIndex = n === 0 ? 0 : -1; // one tab stop; arrow keys move within the toolbar
      button.addEventListener("click", function () { tool.run(textarea); });
      bar.appendChild(button);
    });
    bar.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(bar.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (at === -1 || to === undefined) return;
      event.preventDefault();
      to = (to + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1;
      buttons[to].tabIndex = 0;
      buttons[to].focus();
    });
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      TOOLS.forEach(function (tool) {
        if (tool.key && event.key.toLowerCase() === tool.key) {
          event.preventDefault();
          tool.run(textarea);
        }
      });
    });
    return bar;
  }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function fieldValue(id) {
    var field = document.getElementById(id);
    return field ? field.value : "";
  }

  function startPreview(textarea, pane, removed, status) {
    var url = textarea.getAttribute("data-preview-url");
    var timer = null;
    var sent = 0;

    function render() {
      var mine = ++sent;
      var body = new URLSearchParams();
      body.set("title", fieldValue("id_title"));
      body.set("summary", fieldValue("id_summary"));
      body.set("body", textarea.value);
      // An article already saved has its uploaded images: the preview shows them in place.
      var saved = window.location.pathname.match(/\/article\/(\d+)\/change\//);
      if (saved) body.set("article", saved[1]);
      status.textContent = "Updating preview…";
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form) },
        body: body
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (result) {
          if (mine !== sent) return; // a later request is on its way; show only the latest
          // The server's sanitised rendering, the very HTML the public page would show.
          pane.innerHTML = result.html;
          removed.hidden = result.removed.length === 0;
          removed.textContent = result.removed.length
            ? "The page does not allow some markup, so it will be left out. Removed: " + result.removed.join(", ") + "."
            : "";
          status.textContent = "Preview up to date.";
        })
        .catch(function () {
          if (mine === sent) status.textContent = "The preview could not be updated; your text is unchanged.";
        });
    }

    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, PREVIEW_DELAY_MS);
    }

    textarea.addEventListener("input", soon);
    ["id_title", "id_summary"].forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.addEventListener("input", soon);
    });
    render();
  }

  function enhance(textarea) {
    var editor = document.createElement("div");
    editor.className = "article-editor";
    textarea.parentNode.insertBefore(editor, textarea);

    var writing = document.createElement("div");
    writing.className = "article-editor-writing";
    writing.appendChild(buildToolbar(textarea));
    writing.appendChild(textarea);

    var previewBox = document.createElement("section");
    previewBox.className = "article-editor-preview-box";
    previewBox.setAttribute("aria-labelledby", "article-editor-preview-title");
    var heading = document.createElement("p");
    heading.className = "article-editor-preview-heading";
    heading.id = "article-editor-preview-title";
    heading.textContent = "Live preview (not saved, not published)";
    var status = document.createElement("p");
    status.className = "article-editor-status";
    // Not a live region: "updating… up to date" after every pause would talk over the writer.
    // What the sanitiser removed is one (below): that is worth hearing.
    var removed = document.createElement("p");
    removed.className = "article-editor-removed";
    removed.setAttribute("role", "status");
    removed.hidden = true;
    var pane = document.createElement("div");
    pane.className = "article-editor-preview";
    previewBox.appendChild(heading);
    previewBox.appendChild(status);
    previewBox.appendChild(removed);
    previewBox.appendChild(pane);

    editor.appendChild(writing);
    editor.appendChild(previewBox);
    startPreview(textarea, pane, removed, status);
  }

  // New source rows take the next position after the highest one on the page.
  function numberNewSource(event) {
    var row = event.target;
    if (!row || !row.querySelector) return;
    var field = row.querySelector("input.source-position");
    if (!field) return;
    var highest = -1;
    document.querySelectorAll("input.source-position").forEach(function (other) {
      if (other !== field && !/__prefix__/.test(other.name) && other.value !== "") {
        highest = Math.max(highest, parseInt(other.value, 10) || 0);
      }
    });
    field.value = String(highest + 1);
  }

  function start() {
    var textarea = document.querySelector("textarea.article-editor-source[data-preview-url]");
    if (textarea && window.fetch) enhance(textarea);
    document.addEventListener("formset:added", numberNewSource);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
