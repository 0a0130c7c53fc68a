// briefgen default theme: small enhancements to pages that work without them. Citations
// show their source in a popover, the table of contents follows the entry in view, long
// pages get a button back to the top, and narrow screens get a menu button. No other
// script is loaded, and nothing is fetched.
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  // The site's words for what this script shows, as the page's script tag carries them
  // (English when a template leaves them out).
  var word = words(doc.currentScript, {
    source: "Source", source_number: "Source {n}", in_list_of_sources: "In the list of sources",
    close: "Close", top: "Top", back_to_the_top: "Back to the top"
  });

  function words(script, english) {
    var found = {};
    try { found = JSON.parse((script && script.getAttribute("data-words")) || "{}"); } catch (e) { found = {}; }
    var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(root.lang || "en") : null;
    return function (key, parts) {
      var forms = found[key] || { other: english[key] };
      var n = parts && parts.n;
      var text = (n !== undefined && rules && forms[rules.select(n)]) || forms.other;
      return text.replace(/\{([a-z_]+)\}/g, function (all, name) {
        return parts && name in parts ? String(parts[name]) : all;
      });
    };
  }

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function onFrame(callback) {
    var waiting = false;
    return function () {
      if (waiting) return;
      waiting = true;
      window.requestAnimationFrame(function () { waiting = false; callback(); });
    };
  }

  // ------------------------------------------------------------------ citation popover
  // Hover (mouse) or keyboard focus shows the source beside its citation; a click, a tap or
  // Enter opens it as a dialog with the focus inside (its links can be followed); Escape, a
  // click elsewhere or the close button closes it, and the focus goes back to the citation.
  // Without this script a citation is a link to its item of the Sources list.
  function citations() {
    var selector = '.bg-cite a[href^="#bg-source-"]';
    if (!doc.querySelector(selector)) return;
    var pop = el("div", "bg-popover");
    pop.id = "bg-popover";
    pop.setAttribute("role", "dialog");
    pop.tabIndex = -1;
    pop.hidden = true;
    doc.body.appendChild(pop);
    var current = null;  // the citation the popover shows
    var pinned = false;  // opened by a click, a tap or Enter: stays until closed
    var timer = 0;
    var returning = false;

    function itemOf(link) {
      return doc.getElementById(decodeURIComponent(link.hash.slice(1)));
    }

    function fill(link, item) {
      pop.textContent = "";
      var number = (item.querySelector(".bg-source-num") || {}).textContent || "";
      var label = number ? word("source_number", { n: number }) : word("source");
      pop.setAttribute("aria-label", label);
      pop.appendChild(el("p", "bg-popover-label", label));
      var body = item.querySelector(".bg-source-text").cloneNode(true);
      body.className = "bg-popover-body";
      var back = body.querySelector(".bg-source-back");
      if (back) back.remove();
      body.querySelectorAll("[id]").forEach(function (node) { node.removeAttribute("id"); });
      pop.appendChild(body);
      var actions = el("p", "bg-popover-actions");
      var jump = el("a", "", word("in_list_of_sources"));
      jump.href = link.hash;
      actions.appendChild(jump);
      var close = el("button", "bg-popover-close", word("close"));
      close.type = "button";
      close.addEventListener("click", function () { hide(true); });
      actions.appendChild(close);
      pop.appendChild(actions);
    }

    function place(link) {
      var box = link.getBoundingClientRect();
      var view = root.clientWidth;
      var width = Math.min(352, view - 16);
      pop.style.width = width + "px";
      var left = Math.max(8, Math.min(box.left - 24, view - width - 8));
      var height = pop.offsetHeight;
      var below = box.bottom + 8 + height <= window.innerHeight || box.top < height + 16;
      var top = below ? box.bottom + 6 : box.top - height - 6;
      pop.style.left = left + window.scrollX + "px";
      pop.style.top = top + window.scrollY + "px";
    }

    function show(link, pin) {
      window.clearTimeout(timer);
      var item = itemOf(link);
      if (!item) return;
      if (current !== link) {
        if (current) release(current);
        current = link;
        fill(link, item);
      }
      pop.hidden = false;
      place(link);
      link.setAttribute("aria-describedby", pop.id);
      if (pin) {
        pinned = true;
        link.setAttribute("aria-expanded", "true");
        pop.focus({ preventScroll: true });
      }
    }

    function release(link) {
      link.removeAttribute("aria-describedby");
      if (link.hasAttribute("aria-expanded")) link.setAttribute("aria-expanded", "false");
    }

    function hide(returnFocus) {
      window.clearTimeout(timer);
      if (!current) return;
      var link = current;
      release(link);
      pop.hidden = true;
      current = null;
      pinned = false;
      if (returnFocus) {
        returning = true;  // the focus that comes back shows no preview
        link.focus();
        returning = false;
      }
    }

    function later(callback) {
      window.clearTimeout(timer);
      timer = window.setTimeout(callback, 250);
    }

    function byMouse(event) {
      return event.pointerType === "mouse" || event.pointerType === "pen";
    }

    doc.querySelectorAll(selector).forEach(function (link) {
      // The popover says what the native tooltip would: keep one of them.
      link.removeAttribute("title");
      link.setAttribute("aria-haspopup", "dialog");
      link.setAttribute("aria-controls", pop.id);
      link.setAttribute("aria-expanded", "false");
    });

    doc.addEventListener("pointerover", function (event) {
      if (!byMouse(event)) return;
      var link = event.target.closest(selector);
      if (link && !(pinned && link === current)) later(function () { show(link, false); });
      else if (link || pop.contains(event.target)) window.clearTimeout(timer);
    });
    doc.addEventListener("pointerout", function (event) {
      if (!byMouse(event) || pinned || !current) return;
      if (!pop.contains(event.target) && !event.target.closest(selector)) return;
      var into = event.relatedTarget;
      if (into && (pop.contains(into) || into.closest(selector) === current)) return;
      later(function () { hide(false); });
    });
    doc.addEventListener("focusin", function (event) {
      var target = event.target;
      var link = target.closest ? target.closest(selector) : null;
      if (link && !returning && link.matches(":focus-visible")) show(link, false);
      else if (current && target !== current && !pop.contains(target)) hide(false);
    });
    doc.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
          event.shiftKey || event.altKey) return;
      var link = event.target.closest(selector);
      if (link) {
        event.preventDefault();
        show(link, true);
      } else if (current && pop.contains(event.target) && event.target.closest("a")) {
        hide(false);  // "In the list of sources", or a link of the source
      }
    });
    doc.addEventListener("pointerdown", function (event) {
      if (current && !pop.contains(event.target) && !event.target.closest(selector)) hide(false);
    });
    doc.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !current) return;
      event.preventDefault();
      hide(pinned || pop.contains(doc.activeElement));
    });
    window.addEventListener("resize", onFrame(function () { if (current) place(current); }));
  }

  // ------------------------------------------------------------------ table of contents
  // The entry being read is the last one whose top has passed a line near the top of the
  // window; it is marked in the table of contents (aria-current), which scrolls to show it
  // when it is a sidebar of its own.
  function tableOfContents() {
    var toc = doc.getElementById("bg-toc");
    if (!toc) return;
    var links = [];
    var targets = [];
    toc.querySelectorAll('a[href^="#"]').forEach(function (link) {
      var target = doc.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (target) { links.push(link); targets.push(target); }
    });
    if (!targets.length) return;
    var active = -1;

    function reading() {
      var line = Math.min(window.innerHeight * 0.3, 240);
      var low = 0, high = targets.length - 1, found = -1;
      while (low <= high) {  // entries are in page order: the last one above the line
        var middle = (low + high) >> 1;
        if (targets[middle].getBoundingClientRect().top <= line) { found = middle; low = middle + 1; }
        else high = middle - 1;
      }
      if (found >= 0 && targets[found].getBoundingClientRect().bottom < line) found = -1;
      return found;
    }

    function update() {
      var now = reading();
      if (now === active) return;
      if (active >= 0) links[active].removeAttribute("aria-current");
      active = now;
      if (active < 0) return;
      var link = links[active];
      link.setAttribute("aria-current", "location");
      if (toc.scrollHeight > toc.clientHeight) {
        var top = link.offsetTop - toc.offsetTop;
        if (top < toc.scrollTop || top + link.offsetHeight > toc.scrollTop + toc.clientHeight) {
          toc.scrollTop = top - toc.clientHeight / 3;
        }
      }
    }

    var onScroll = onFrame(update);
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    update();
  }

  // ------------------------------------------------------------------ back to the top
  // On pages several screens long, a button appears once the reader has scrolled a screen
  // down. (The footer has a plain link for readers without this script.)
  function backToTop() {
    var top = doc.getElementById("bg-top");
    if (!top) return;
    var button = el("a", "bg-to-top");
    button.href = "#bg-top";
    button.appendChild(el("span", "", "↑")).setAttribute("aria-hidden", "true");
    button.appendChild(el("span", "bg-to-top-text", word("top")));
    button.setAttribute("aria-label", word("back_to_the_top"));
    button.hidden = true;
    // At the end of the main landmark, not loose in the body: every part of a page belongs
    // to a landmark, which is how screen reader users move around it.
    (doc.querySelector("main") || doc.body).appendChild(button);
    var update = onFrame(function () {
      var long = root.scrollHeight > window.innerHeight * 2.5;
      button.hidden = !(long && window.scrollY > window.innerHeight);
    });
    window.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  // ------------------------------------------------------------------ menu
  // On narrow screens the navigation folds behind a Menu button, so that the header takes
  // one row. Without this script the same control is a link that shows the navigation
  // (#bg-nav, by CSS :target).
  function menu() {
    var toggle = doc.querySelector(".bg-menu");
    var nav = doc.getElementById("bg-nav");
    if (!toggle || !nav) return;
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-controls", nav.id);
    toggle.setAttribute("aria-expanded", "false");

    function set(open) {
      nav.classList.toggle("bg-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }

    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); toggle.click(); }  // as a button
    });
    doc.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("bg-open")) {
        set(false);
        toggle.focus();
      }
    });
  }

  function start() {
    citations();
    tableOfContents();
    backToTop();
    menu();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
