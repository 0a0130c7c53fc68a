// The accessibility test's side in the browser: runs axe-core (loaded before this file) on
// the page and returns, one item per element, every violation and every check that axe
// could not finish. Two things axe cannot see through are handled here, each with a proof:
//
// - Decorations. The theme draws the rail and the dots of its timelines with absolutely
//   positioned ::before/::after boxes. axe cannot tell whether such a box lies under text,
//   so by default it gives up on the contrast of all text near a large one: most of every
//   entry would go unchecked. axe is told to look past them (ignorePseudo), and this script
//   measures instead that none of them lies under any visible text (`underText`).
// - Floating boxes (the citation's popover, the button back to the top, the preview's
//   pill): axe compares what lies under each line of a text, and gives up on text over or
//   under such a box. Text under one is hidden from the reader, and is checked in the states
//   without it; each box has an opaque background, so its own colours do not depend on what
//   is under it: it is checked alone, with the rest of the page hidden.
(function () {
  "use strict";

  var ALONE = "data-briefgen-audit-alone";

  function opaque(color) {
    var alpha = /^rgba\(.*,\s*([\d.]+)\)$/.exec(color);
    return color !== "transparent" && (!alpha || parseFloat(alpha[1]) === 1);
  }

  function painted(style) {  // the boxes axe's heuristic counts: positioned, with a background
    return style.content !== "none" && style.display !== "none" &&
      style.visibility !== "hidden" && (style.position === "absolute" ||
      style.position === "fixed") && (style.backgroundImage !== "none" ||
      !/^(transparent|rgba\(.*,\s*0\))$/.test(style.backgroundColor));
  }

  function containingBlock(el, style) {
    if (style.position === "fixed") return null;  // the viewport
    var block = el;
    while (block.parentElement && getComputedStyle(block).position === "static") {
      block = block.parentElement;
    }
    return block;
  }

  // A pseudo-element's box in the viewport, from its computed offsets (resolved to pixels for
  // positioned boxes); null when they cannot be read.
  function pseudoBox(el, style) {
    var block = containingBlock(el, style);
    var outer = block ? block.getBoundingClientRect() : { left: 0, top: 0 };
    var inner = block ? { x: block.clientLeft, y: block.clientTop, w: block.clientWidth,
      h: block.clientHeight } : { x: 0, y: 0, w: window.innerWidth, h: window.innerHeight };
    var width = parseFloat(style.width);
    var height = parseFloat(style.height);
    var left = style.left !== "auto" ? parseFloat(style.left)
      : inner.w - parseFloat(style.right) - width;
    var top = style.top !== "auto" ? parseFloat(style.top)
      : inner.h - parseFloat(style.bottom) - height;
    var x = outer.left + inner.x + left + (parseFloat(style.marginLeft) || 0);
    var y = outer.top + inner.y + top + (parseFloat(style.marginTop) || 0);
    if (![x, y, width, height].every(isFinite)) return null;
    return { left: x, top: y, right: x + width, bottom: y + height };
  }

  function describe(el) {
    var name = el.tagName.toLowerCase();
    if (el.id) return name + "#" + el.id;
    return name + (el.classList.length ? "." + Array.from(el.classList).join(".") : "");
  }

  function overlap(a, b) {
    return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  }

  function intersection(a, b) {
    return { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top),
      right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
  }

  // What is left of a text's box once its clipping ancestors have cut it (a visually hidden
  // heading is clipped to nothing).
  function clipped(rect, el) {
    for (; el && el !== document.body; el = el.parentElement) {
      var style = getComputedStyle(el);
      if (style.overflow !== "visible" || style.clipPath !== "none" || style.clip !== "auto") {
        rect = intersection(rect, el.getBoundingClientRect());
      }
    }
    return rect;
  }

  function decorations() {
    var found = [];
    document.querySelectorAll("body *").forEach(function (el) {
      ["::before", "::after"].forEach(function (pseudo) {
        var style = getComputedStyle(el, pseudo);
        if (painted(style)) found.push({ name: describe(el) + pseudo, box: pseudoBox(el, style) });
      });
    });
    return found;
  }

  // Each decoration that lies under visible text, with the texts (or why it could not be
  // measured).
  function decorationsUnderText() {
    var boxes = decorations();
    var found = boxes.filter(function (d) { return !d.box; }).map(function (d) {
      return { decoration: d.name, texts: [], unmeasured: true };
    });
    boxes = boxes.filter(function (d) { return d.box; });
    var under = new Map();
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    var range = document.createRange();
    for (var node = walker.nextNode(); node && boxes.length; node = walker.nextNode()) {
      var text = node.data.trim();
      if (!text) continue;
      range.selectNodeContents(node);
      var rects = Array.from(range.getClientRects());
      boxes.forEach(function (d) {
        if (rects.some(function (rect) {
          return overlap(rect, d.box) && overlap(clipped(rect, node.parentElement), d.box);
        })) {
          if (!under.has(d.name)) under.set(d.name, new Set());
          under.get(d.name).add(text.slice(0, 40));
        }
      });
    }
    under.forEach(function (texts, name) {
      found.push({ decoration: name, texts: Array.from(texts), unmeasured: false });
    });
    return found;
  }

  function floatingBoxes() {
    var view = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
    return Array.from(document.querySelectorAll("body *")).filter(function (el) {
      var style = getComputedStyle(el);
      return (style.position === "fixed" || style.position === "absolute") &&
        style.visibility !== "hidden" && opaque(style.backgroundColor) &&
        overlap(el.getBoundingClientRect(), view);
    });
  }

  function elementOf(target) {
    return target.length === 1 ? document.querySelector(target[0]) : null;
  }

  function flatten(rules, floating) {
    var items = [];
    rules.forEach(function (rule) {
      rule.nodes.forEach(function (node) {
        var el = elementOf(node.target);
        var box = el && el.getBoundingClientRect();
        var checks = node.any.concat(node.all, node.none);
        items.push({
          rule: rule.id, impact: node.impact || rule.impact || "", help: rule.help,
          url: rule.helpUrl, target: node.target.join(" "), summary: node.failureSummary || "",
          reasons: checks.map(function (c) { return c.data && c.data.messageKey; })
            .filter(Boolean),
          text: el ? el.textContent.trim().slice(0, 80) : null,
          floating: Boolean(box) && floating.some(function (layer) {
            return overlap(box, layer.getBoundingClientRect());
          })
        });
      });
    });
    return items;
  }

  function options(runOnly) {
    return {
      runOnly: runOnly,
      resultTypes: ["violations", "incomplete"],
      checks: { "color-contrast": { options: { ignorePseudo: true } } }
    };
  }

  async function alone(box) {
    var style = document.createElement("style");
    style.textContent = "html { visibility: hidden !important; } " +
      "[" + ALONE + "] { visibility: visible !important; }";
    box.setAttribute(ALONE, "");
    document.head.appendChild(style);
    try {
      return await axe.run(box, options({ type: "rule", values: ["color-contrast"] }));
    } finally {
      style.remove();
      box.removeAttribute(ALONE);
    }
  }

  window.briefgenAudit = async function (tags) {
    var result = await axe.run(document, options({ type: "tag", values: tags }));
    var floating = floatingBoxes();
    var found = {
      version: axe.version,
      violations: flatten(result.violations, floating),
      incomplete: flatten(result.incomplete, floating),
      underText: decorationsUnderText()
    };
    for (var i = 0; i < floating.length; i++) {
      var own = await alone(floating[i]);
      found.violations = found.violations.concat(flatten(own.violations, []));
      found.incomplete = found.incomplete.concat(flatten(own.incomplete, []));
    }
    return found;
  };
})();
