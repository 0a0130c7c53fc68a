// briefgen live preview client: injected only by `briefgen serve`, never by `build`.
// Listens to the server's events; reloads the page when its file changed (keeping the
// scroll position), swaps stylesheets in place when only CSS changed, and shows build
// errors in an overlay until the next good build.
(function () {
  "use strict";
  var script = document.currentScript;
  var prefix = (script && script.getAttribute("data-prefix")) || "/";
  var scrollKey = "briefgen-scroll:" + location.pathname;
  var overlay = null;
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

  function el(tag, css, text) {
    var node = document.createElement(tag);
    node.style.cssText = css;
    if (text) node.textContent = text;
    return node;
  }

  function showErrors(errors) {
    hideErrors();
    overlay = el("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,24,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,monospace;padding:24px");
    overlay.id = "briefgen-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.appendChild(el("h2", "font:600 18px system-ui,sans-serif;margin:0 0 12px;color:#ff8a80",
      "The last change broke the build (" + errors.length + " problem" +
      (errors.length === 1 ? "" : "s") + "). Showing the last good version underneath."));
    errors.forEach(function (e) {
      var item = el("div", "margin:0 0 16px;padding:8px 12px;border-left:3px solid " +
        (e.severity === "error" ? "#ff8a80" : "#ffd180") + ";background:rgba(255,255,255,.05)");
      item.className = "briefgen-error";
      item.appendChild(el("div", "color:#80d8ff", e.location));
      item.appendChild(el("div", "white-space:pre-wrap", e.severity + ": " + e.message));
      if (e.source) item.appendChild(el("pre", "margin:6px 0 0;color:#bbb;white-space:pre-wrap", e.source));
      overlay.appendChild(item);
    });
    document.body.appendChild(overlay);
  }

  function hideErrors() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  function connect() {
    // The server makes the pages that tabs show first, after a change.
    var events = new EventSource(prefix + "__briefgen/events?page=" + encodeURIComponent(ownFile()));
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
