// Offline search for briefgen sites: loads the JSON index once, ranks by matched words.
(function () {
  "use strict";
  var script = document.currentScript;
  var indexUrl = script && script.getAttribute("data-index");
  var form = document.querySelector(".bg-search");
  var input = document.getElementById("bg-q");
  var list = document.getElementById("bg-results");
  var status = document.getElementById("bg-search-status");
  if (!indexUrl || !form || !input || !list || !status) return;
  var docs = null;

  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function score(doc, words) {
    var title = fold(doc.t), body = fold(doc.x), total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      var inTitle = title.indexOf(w) !== -1, inBody = body.indexOf(w) !== -1;
      if (!inTitle && !inBody) return 0;
      total += (inTitle ? 5 : 0) + (inBody ? 1 : 0);
    }
    return total + (doc.k === "Briefing" ? 1 : 0);
  }

  function show(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      var s = score(docs[i], words);
      if (s) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = hits.length === 1 ? "1 result" : hits.length + " results";
    hits.slice(0, 50).forEach(function (hit) {
      var doc = docs[hit[1]];
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "bg-result-kind";
      kind.textContent = doc.k + (doc.d ? " · " + doc.d : "");
      var a = document.createElement("a");
      a.href = doc.u;
      a.textContent = doc.t;
      var p = document.createElement("p");
      p.textContent = doc.x.length > 200 ? doc.x.slice(0, 200) + "…" : doc.x;
      if (doc.s) {  // a draft or scheduled document, in builds that show them
        var badge = document.createElement("span");
        badge.className = "bg-badge bg-badge-" + doc.s;
        badge.textContent = doc.s.charAt(0).toUpperCase() + doc.s.slice(1);
        kind.appendChild(document.createTextNode(" "));
        kind.appendChild(badge);
      }
      li.appendChild(kind);
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function run() {
    var query = input.value;
    if (docs) { show(query); return; }
    status.textContent = "Loading…";
    fetch(indexUrl).then(function (r) { return r.json(); }).then(function (data) {
      docs = data;
      show(input.value);
    }).catch(function () {
      status.textContent = "The search index could not be loaded.";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run();
  });
  input.addEventListener("input", function () { if (docs) show(input.value); else run(); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
