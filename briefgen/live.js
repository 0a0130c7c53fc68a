// briefgen live preview client: injected only by `briefgen serve`, never by `build`.
// Listens to the server's events; reloads the page when its file changed (keeping the
// scroll position), swaps stylesheets in place when only CSS changed, and shows build
// errors in an overlay until the next good build.
(function () {
  "use strict";
  var script = document.currentScript;
  var prefix = (script && script.getAttribute("data-prefix")) || "/";
  // How many events the server had published when it read this page: it tells, when we
  // connect, what changed since (a build may end before the connection is open).
  var since = script && script.getAttribute("data-since");
  var scrollKey = "briefgen-scroll:" + location.pathname;
  var overlay = null;
  var pill = null;
  var lastErrors = [];
  var lost = false;

  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(0, parseFloat(saved)); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }

  function ownFile() {
    var path = decodeURIComponent(location.pathname);
    if (path.slice(-1) === "/") path += "index.html";
    return path.indexOf(prefix) === 0 ? path.slice(prefix.length) : path;
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("briefgen", String(Date.now()));
      links[i].href = url.toString();
    }
  }

  // The overlay's own style sheet: every rule starts from the overlay's id and resets what
  // the site's theme may set (a theme's `pre` colours, wrapping, fonts), so that it reads
  // the same on every site, in the light and the dark colour scheme.
  var STYLE = [
    "#briefgen-error-overlay,#briefgen-error-pill{all:initial;box-sizing:border-box;" +
      "position:fixed;z-index:2147483647;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
      "color:#1d1d20;background:#fbfaf7;color-scheme:light;" +
      "--bge-rule:#d6d1c7;--bge-box:#f0ede6;--bge-muted:#55555d;--bge-loc:#1b4f8a;" +
      "--bge-error:#b3261e;--bge-warning:#8a5300;--bge-mark:#ffe08a;--bge-focus:#1b4f8a}",
    "#briefgen-error-overlay{inset:0;overflow:auto;padding:16px}",
    "#briefgen-error-overlay *{all:revert;box-sizing:border-box}",
    "#briefgen-error-overlay .briefgen-head{display:flex;align-items:flex-start;gap:12px;margin:0 0 16px}",
    "#briefgen-error-overlay h2{flex:1;min-width:0;margin:0;font-weight:600;font-size:18px;line-height:1.35;font-family:inherit;color:var(--bge-error)}",
    "#briefgen-error-overlay button,#briefgen-error-pill{font-weight:600;font-size:14px;line-height:1;font-family:inherit;" +
      "color:inherit;background:var(--bge-box);border:1px solid var(--bge-muted);border-radius:4px;" +
      "padding:0 14px;min-height:44px;cursor:pointer;flex:none}",
    "#briefgen-error-overlay button:focus-visible,#briefgen-error-overlay pre:focus-visible,#briefgen-error-pill:focus-visible{outline:3px solid var(--bge-focus);outline-offset:2px}",
    "#briefgen-error-overlay .briefgen-error{margin:0 0 16px;padding:8px 12px;min-width:0;" +
      "border-left:4px solid var(--bge-error);background:var(--bge-box);border-radius:0 4px 4px 0}",
    "#briefgen-error-overlay .briefgen-warning{border-left-color:var(--bge-warning)}",
    "#briefgen-error-overlay .briefgen-location{margin:0;font:600 13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;" +
      "color:var(--bge-loc);overflow-wrap:anywhere}",
    "#briefgen-error-overlay .briefgen-message{margin:2px 0 0;white-space:pre-wrap;overflow-wrap:anywhere}",
    "#briefgen-error-overlay .briefgen-severity{font-weight:700;color:var(--bge-error)}",
    "#briefgen-error-overlay .briefgen-warning .briefgen-severity{color:var(--bge-warning)}",
    // The source line and its caret: one monospace block that never wraps (it scrolls
    // sideways), so the caret stays under its column on any screen.
    "#briefgen-error-overlay pre{display:block;position:relative;margin:8px 0 2px;padding:8px 10px;overflow-x:auto;" +
      "white-space:pre;overflow-wrap:normal;word-break:normal;tab-size:8;text-align:left;" +
      "font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;" +
      "font-variant-ligatures:none;letter-spacing:0;color:inherit;background:var(--bge-bg,#fbfaf7);" +
      "border:1px solid var(--bge-rule);border-radius:4px}",
    "#briefgen-error-overlay mark{color:inherit;background:var(--bge-mark);border-radius:2px}",
    "#briefgen-error-overlay .briefgen-caret{color:var(--bge-error);font-weight:700}",
    "#briefgen-error-pill{left:16px;bottom:16px;box-shadow:0 2px 10px rgba(0,0,0,.3);" +
      "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
      "color:#fff;background:#b3261e;border-color:#b3261e}",
    "@media (prefers-color-scheme:dark){#briefgen-error-overlay,#briefgen-error-pill{color:#ececef;" +
      "background:#16171a;color-scheme:dark;--bge-rule:#3c3f46;--bge-box:#212328;--bge-muted:#a9aab2;" +
      "--bge-loc:#8fc1ff;--bge-error:#ff8a80;--bge-warning:#ffd180;--bge-mark:#5c4a12;--bge-focus:#ffc857;--bge-bg:#16171a}" +
      "#briefgen-error-pill{color:#16171a;background:#ff8a80;border-color:#ff8a80}}"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // The source context is two lines, as on the command line: "  12 | text" and
  // "     | ^~~~". The characters the caret underlines are marked in the text too.
  function sourceBox(source) {
    var pre = el("pre", "briefgen-source");
    pre.tabIndex = 0;  // it scrolls sideways on a narrow screen: keyboards must reach it too
    var lines = source.split("\n");
    var bar = lines.length === 2 ? lines[1].indexOf("| ") : -1;
    var caret = bar >= 0 ? lines[1].slice(bar + 2) : "";
    var start = caret.search(/\^/);
    if (start < 0 || lines[0].indexOf("| ") !== bar) {
      pre.textContent = source;
      return pre;
    }
    var head = lines[0].slice(0, bar + 2);
    var text = Array.from(lines[0].slice(bar + 2));  // by code point, as counted
    var width = caret.length - start;
    pre.appendChild(document.createTextNode(head + text.slice(0, start).join("")));
    pre.appendChild(el("mark", "", text.slice(start, start + width).join("")));
    pre.appendChild(document.createTextNode(text.slice(start + width).join("") + "\n" +
                                            lines[1].slice(0, bar + 2) + caret.slice(0, start)));
    pre.appendChild(el("span", "briefgen-caret", caret.slice(start)));
    return pre;
  }

  function styleSheet() {
    if (document.getElementById("briefgen-error-style")) return;
    var style = el("style", "", STYLE);
    style.id = "briefgen-error-style";
    (document.head || document.documentElement).appendChild(style);
  }

  function showErrors(errors) {
    hideErrors();
    styleSheet();
    lastErrors = errors;
    overlay = el("div", "");
    overlay.id = "briefgen-error-overlay";
    overlay.setAttribute("role", "alert");
    var head = el("div", "briefgen-head");
    head.appendChild(el("h2", "", "The last change broke the build (" + errors.length +
      " problem" + (errors.length === 1 ? "" : "s") + "). Showing the last good version underneath."));
    var close = el("button", "briefgen-dismiss", "Dismiss");
    close.type = "button";
    close.title = "Dismiss (Escape)";
    close.addEventListener("click", dismiss);
    head.appendChild(close);
    overlay.appendChild(head);
    errors.forEach(function (e) {
      var item = el("div", "briefgen-error" + (e.severity === "error" ? "" : " briefgen-warning"));
      item.appendChild(el("p", "briefgen-location", e.location));
      var message = el("p", "briefgen-message");
      message.appendChild(el("span", "briefgen-severity", e.severity + ":"));
      message.appendChild(document.createTextNode(" " + e.message));
      item.appendChild(message);
      if (e.source) item.appendChild(sourceBox(e.source));
      overlay.appendChild(item);
    });
    document.body.appendChild(overlay);
    // On a narrow screen, scroll each source line to the characters its caret points at.
    overlay.querySelectorAll("pre").forEach(function (pre) {
      var mark = pre.querySelector("mark");
      if (mark && mark.offsetLeft + mark.offsetWidth > pre.clientWidth - 16) {
        pre.scrollLeft = mark.offsetLeft - pre.clientWidth / 3;
      }
    });
  }

  // Dismissed, the errors leave a button that brings them back, until the next build.
  function dismiss() {
    var errors = lastErrors;
    hideErrors();
    pill = el("button", "", errors.length + " problem" + (errors.length === 1 ? "" : "s") +
      " in the last build: show");
    pill.id = "briefgen-error-pill";
    pill.type = "button";
    pill.addEventListener("click", function () { showErrors(errors); });
    document.body.appendChild(pill);
  }

  function hideErrors() {
    [overlay, pill].forEach(function (node) {
      if (node && node.parentNode) node.parentNode.removeChild(node);
    });
    overlay = null;
    pill = null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && overlay) {
      event.preventDefault();
      dismiss();
    }
  });

  function connect() {
    // The server makes the pages that tabs show first, after a change.
    var events = new EventSource(prefix + "__briefgen/events?page=" + encodeURIComponent(ownFile()) +
                                 (since ? "&since=" + encodeURIComponent(since) : ""));
    events.addEventListener("missed", function (message) {
      var data = JSON.parse(message.data);
      if (data.page || (data.any && document.title === "Waiting for a good build")) reload();
      else if (data.css) swapStylesheets();
    });
    events.addEventListener("build", function (message) {
      var data = JSON.parse(message.data);
      if (!data.ok) { showErrors(data.errors); return; }
      hideErrors();
      var changed = data.changed || [];
      if (!changed.length) return;
      if (document.title === "Waiting for a good build") { reload(); return; }
      var cssOnly = changed.every(function (p) { return /\.css$/.test(p); });
      if (cssOnly) swapStylesheets();
      else if (changed.indexOf(ownFile()) !== -1) reload();
    });
    events.onopen = function () {
      if (lost) reload();  // the server restarted: what it serves may have changed
    };
    events.onerror = function () { lost = true; };
  }
  connect();
})();
