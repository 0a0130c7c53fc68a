// Search for briefgen sites: loads the index's manifest, then for each query only the files of
// its words (a vocabulary page and a shard each) and the documents of the results shown.
// Text is split, folded, stemmed and hashed exactly as briefgen/search/terms.py does.
(function () {
  "use strict";

  // ------------------------------------------------------------------ text, as terms.py

  var NO_SPACE = "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u309f\u30a0-\u30ff" +
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\\u{20000}-\\u{3134f}";
  var WORD = /[\p{L}\p{N}\p{M}]+/gu;
  var NO_SPACE_RUN = new RegExp("[" + NO_SPACE + "]+", "gu");
  var HAS_NO_SPACE = new RegExp("[" + NO_SPACE + "]", "u");
  var DIGIT = /\p{Nd}/u;

  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").normalize("NFC");
  }

  function bigrams(run) {
    var chars = Array.from(run);
    if (chars.length < 2) return [run];
    var found = [];
    for (var i = 0; i + 1 < chars.length; i++) found.push(chars[i] + chars[i + 1]);
    return found;
  }

  // Words of folded text, each with its run (several bigrams of one run form a phrase).
  function splitWords(folded) {
    var found = [];
    (folded.match(WORD) || []).forEach(function (word) {
      if (!HAS_NO_SPACE.test(word)) { found.push({ text: word, run: null }); return; }
      var at = 0;
      word.replace(NO_SPACE_RUN, function (run, offset) {
        if (offset > at) found.push({ text: word.slice(at, offset), run: null });
        var grams = bigrams(run);
        grams.forEach(function (g) { found.push({ text: g, run: grams.length > 1 ? run : null }); });
        at = offset + run.length;
        return run;
      });
      if (at < word.length) found.push({ text: word.slice(at), run: null });
    });
    return found;
  }

  function stemmable(word) { return !DIGIT.test(word) && !HAS_NO_SPACE.test(word); }

  function pageKey(word) {
    var chars = Array.from(word);
    return chars.slice(0, HAS_NO_SPACE.test(chars[0]) ? 1 : 2).join("");
  }

  var CRC = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();
  var ENCODER = new TextEncoder();

  function crc32(text) {
    var bytes = ENCODER.encode(text), c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC[(c ^ bytes[i]) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  function pairHash(first, second) { return (Math.imul(first, 0x9e3779b1) + second) >>> 0; }

  var FINAL = "0123456789ABCDEFGHIJKLMNOPQRSTUV", MORE = "WXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGITS = FINAL + MORE;

  function hash6(h) {
    return [30, 24, 18, 12, 6, 0].map(function (s) { return DIGITS[(h >>> s) & 63]; }).join("");
  }

  // ------------------------------------------------------------------ English stemmer
  // Snowball's English algorithm (as snowballstemmer 3 has it), written for this script.

  var V = "aeiouy";
  function isV(ch) { return ch !== undefined && V.indexOf(ch) >= 0; }
  function longest(word, suffixes) {
    for (var i = 0; i < suffixes.length; i++) {
      if (word.length >= suffixes[i].length && word.slice(word.length - suffixes[i].length) === suffixes[i]) {
        return suffixes[i];
      }
    }
    return null;
  }
  var EXCEPTIONS = { skis: "ski", skies: "sky", idly: "idl", gently: "gentl", ugly: "ugli",
    early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe",
    atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes" };
  var PREFIXES = ["univers", "commun", "arsen", "emerg", "gener", "inter", "later", "organ", "past"];
  var STEP2 = [["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"],
    ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"],
    ["entli", "ent"], ["ation", "ate"], ["alism", "al"], ["aliti", "al"], ["ousli", "ous"],
    ["iviti", "ive"], ["fulli", "ful"], ["ogist", "og"], ["enci", "ence"], ["anci", "ance"],
    ["abli", "able"], ["izer", "ize"], ["ator", "ate"], ["alli", "al"], ["bli", "ble"],
    ["ogi", "og"], ["li", ""]];
  var STEP3 = [["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"],
    ["iciti", "ic"], ["ative", ""], ["ical", "ic"], ["ness", ""], ["ful", ""]];
  var STEP4 = ["ement", "ment", "ance", "ence", "able", "ible", "ant", "ent", "ism", "ate",
    "iti", "ous", "ive", "ize", "ion", "al", "er", "ic"];

  function regions(w) {
    var p1 = w.length, p2 = w.length, i, prefix = null;
    for (i = 0; i < PREFIXES.length; i++) if (w.indexOf(PREFIXES[i]) === 0) { prefix = PREFIXES[i]; break; }
    function after(from) {  // just past the first non-vowel that follows a vowel
      for (var j = from; j < w.length; j++) {
        if (isV(w[j])) {
          for (var k = j + 1; k < w.length; k++) if (!isV(w[k])) return k + 1;
          return -1;
        }
      }
      return -1;
    }
    var first = prefix ? prefix.length : after(0);
    if (first < 0) return [p1, p2];
    p1 = first;
    var second = after(p1);
    if (second >= 0) p2 = second;
    return [p1, p2];
  }

  function shortV(w) {  // ends in a short syllable
    var n = w.length;
    if (n >= 3 && "aeiouywxY".indexOf(w[n - 1]) < 0 && isV(w[n - 2]) && !isV(w[n - 3])) return true;
    if (n === 2 && !isV(w[1]) && isV(w[0])) return true;
    return w.slice(-4) === "past";
  }

  function stemEnglish(word) {
    if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, word)) return EXCEPTIONS[word];
    if (word.length < 3) return word;
    var w = word.replace(/^'/, ""), yFound = false, i;
    if (w[0] === "y") { w = "Y" + w.slice(1); yFound = true; }
    var chars = w.split("");
    for (i = 1; i < chars.length; i++) {
      if (chars[i] === "y" && isV(chars[i - 1])) { chars[i] = "Y"; yFound = true; }
    }
    w = chars.join("");
    var r = regions(w), p1 = r[0], p2 = r[1], s;
    // Step 1a
    s = longest(w, ["'s'", "'s", "'"]);
    if (s) w = w.slice(0, -s.length);
    s = longest(w, ["sses", "ied", "ies", "ss", "us", "s"]);
    if (s === "sses") w = w.slice(0, -2);
    else if (s === "ied" || s === "ies") w = w.slice(0, -3) + (w.length - 3 >= 2 ? "i" : "ie");
    else if (s === "s") {
      var before = w.slice(0, -2);
      if (w.length >= 2 && /[aeiouy]/.test(before)) w = w.slice(0, -1);
    }
    // Step 1b
    w = step1b(w, p1);
    // Step 1c
    var last = w[w.length - 1];
    if ((last === "y" || last === "Y") && w.length > 2 && !isV(w[w.length - 2])) w = w.slice(0, -1) + "i";
    // Step 2
    s = null;
    for (i = 0; i < STEP2.length; i++) if (w.slice(-STEP2[i][0].length) === STEP2[i][0]) { s = STEP2[i]; break; }
    if (s && w.length - s[0].length >= p1) {
      var at = w.length - s[0].length;
      if (s[0] === "li") { if ("cdeghkmnrt".indexOf(w[at - 1]) >= 0) w = w.slice(0, at); }
      else if (s[0] === "ogi") { if (w[at - 1] === "l") w = w.slice(0, at) + "og"; }
      else w = w.slice(0, at) + s[1];
    }
    // Step 3
    s = null;
    for (i = 0; i < STEP3.length; i++) if (w.slice(-STEP3[i][0].length) === STEP3[i][0]) { s = STEP3[i]; break; }
    if (s && w.length - s[0].length >= p1) {
      if (s[0] !== "ative" || w.length - 5 >= p2) w = w.slice(0, w.length - s[0].length) + s[1];
    }
    // Step 4
    s = longest(w, STEP4);
    if (s && w.length - s.length >= p2) {
      if (s !== "ion") w = w.slice(0, -s.length);
      else if ("st".indexOf(w[w.length - 4]) >= 0 && w.length >= 4) w = w.slice(0, -3);
    }
    // Step 5
    if (w[w.length - 1] === "e") {
      var stem = w.slice(0, -1);
      if (w.length - 1 >= p2 || (w.length - 1 >= p1 && !shortV(stem))) w = stem;
    } else if (w[w.length - 1] === "l" && w.length - 1 >= p2 && w[w.length - 2] === "l") {
      w = w.slice(0, -1);
    }
    return yFound ? w.replace(/Y/g, "y") : w;
  }

  function step1b(w, p1) {
    var s = longest(w, ["eedly", "ingly", "edly", "eed", "ing", "ed"]);
    if (!s) return w;
    var stem = w.slice(0, -s.length);
    if (s === "eed" || s === "eedly") {
      if (stem.length >= p1 && stem !== "succ" && stem !== "proc" && stem !== "exc") return stem + "ee";
      return w;
    }
    if (s === "ing") {
      var special = longest(stem, ["even", "cann", "earr", "herr", "inn", "out", "y"]);
      if (special === "y") {
        if (stem.length === 2 && !isV(stem[0])) return stem.slice(0, -1) + "ie";
      } else if (special && special === stem) {
        return w;
      }
    }
    if (!/[aeiouy]/.test(stem)) return w;
    w = stem;
    var end = longest(w, ["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt", "at", "bl", "iz"]);
    if (end === "at" || end === "bl" || end === "iz") return w + "e";
    if (end) {
      if (w.length === 3 && "aeo".indexOf(w[0]) >= 0) return w;
      return w.slice(0, -1);
    }
    if (w.length === p1 && shortV(w)) return w + "e";
    return w;
  }

  var STEMMERS = { english: stemEnglish };

  // ------------------------------------------------------------------ the page

  var script = document.currentScript;
  var manifestUrl = script && script.getAttribute("data-index");
  // The site's words for what this script shows, as its script tag carries them (English
  // when a template leaves them out).
  var word = words(script, {
    results_count: { one: "{n} result", other: "{n} results" }, loading: "Loading…",
    index_failed: "The search index could not be loaded.", in_briefing: "in {briefing}",
    names: "Names:", common_only: "(words starting with {words}: the most common only)",
    status_draft: "Draft", status_scheduled: "Scheduled"
  });

  function words(from, english) {
    var found = {};
    try { found = JSON.parse((from && from.getAttribute("data-words")) || "{}"); } catch (e) { found = {}; }
    var lang = document.documentElement.lang || "en";
    var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
    return function (key, parts) {
      var forms = found[key] || english[key];
      if (typeof forms === "string") forms = { other: forms };
      var n = parts && parts.n;
      var text = (n !== undefined && rules && forms[rules.select(n)]) || forms.other;
      return text.replace(/\{([a-z_]+)\}/g, function (all, name) {
        return parts && name in parts ? String(parts[name]) : all;
      });
    };
  }
  var form = document.querySelector(".bg-search");
  var input = document.getElementById("bg-q");
  var list = document.getElementById("bg-results");
  var status = document.getElementById("bg-search-status");
  var more = document.getElementById("bg-search-more");
  var filterBox = document.getElementById("bg-search-filters");
  if (!manifestUrl || !form || !input || !list || !status) return;
  var root = manifestUrl.replace(/[^/]*$/, "");
  var selects = {};
  ["actor", "topic", "year"].forEach(function (name) {
    var select = document.getElementById("bg-filter-" + name);
    if (select) selects[name] = select;
  });

  var files = new Map();
  // Bytes loaded so far, and the text functions (for tests and the curious).
  var spent = { bytes: 0, largest: 0, fold: fold, words: splitWords, stem: stemEnglish, crc32: crc32 };
  window.bgSearch = spent;

  function inflate(buffer) {
    var bytes = new Uint8Array(buffer);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b && typeof DecompressionStream === "function") {
      var stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(stream).text();
    }
    return Promise.resolve(new TextDecoder().decode(bytes));  // a server inflated it already
  }

  function load(rel) {
    if (!files.has(rel)) {
      files.set(rel, fetch(root + rel).then(function (response) {
        if (!response.ok) throw new Error(rel + ": " + response.status);
        return response.arrayBuffer();
      }).then(function (buffer) {
        spent.bytes += buffer.byteLength;
        if (rel[0] === "t" || rel[0] === "p") spent.largest = Math.max(spent.largest, buffer.byteLength);
        return inflate(buffer);
      }));
    }
    return files.get(rel);
  }

  function loadJson(rel) { return load(rel).then(JSON.parse); }

  var manifest = null;
  function getManifest() {
    if (!manifest) {
      manifest = loadJson("manifest.bin").then(function (m) {
        var base = 0;
        m.bases = m.blocks.map(function (b) { var at = base; base += b[2]; return at; });
        m.stem = STEMMERS[m.stemmer] || null;
        return m;
      });
    }
    return manifest;
  }

  // ------------------------------------------------------------------ index files

  function vocabulary(m, word) {
    var page = crc32(pageKey(word)) % m.pages;
    return load("v/" + page + ".bin").then(function (text) {
      var words = new Map();
      text.split("\n").forEach(function (line) {
        if (!line) return;
        var tab = line.indexOf("\t");
        var surface = line.slice(0, tab), stem = line.slice(tab + 1);
        words.set(surface, stem || surface);
      });
      return words;
    });
  }

  var shards = new Map();
  function shard(m, number, folder) {
    var rel = (folder || "t") + "/" + number + ".bin";
    if (!shards.has(rel)) {
      shards.set(rel, load(rel).then(function (text) {
        var lines = new Map(), byStem = new Map();
        text.split("\n").forEach(function (line) {
          if (!line) return;
          if (line[0] === "w") {
            lines.set(line.slice(0, 7), line);
            var stem = line.slice(7, 13);
            if (!byStem.has(stem)) byStem.set(stem, []);
            byStem.get(stem).push(line);
          } else {
            lines.set(line.slice(0, 7), line);
          }
        });
        return { lines: lines, byStem: byStem };
      }));
    }
    return shards.get(rel);
  }

  // Postings: [{unit, masks}] where masks are arrays of document numbers (per field for
  // words: title, body, names; one for pairs and filter values).
  function readPostings(line, m, kind) {
    var at = kind === "w" ? 13 : 7, found = [], block = 0;
    function digits() {
      var list = [];
      for (;;) {
        var ch = line[at++], d = FINAL.indexOf(ch);
        if (d >= 0) { list.push(d); return list; }
        list.push(MORE.indexOf(ch));
      }
    }
    function number() {
      var v = 0;
      digits().forEach(function (d) { v = v * 32 + d; });
      return v;
    }
    function bits() {
      var list = digits(), docs = [];
      for (var j = 0; j < list.length; j++) {
        var shift = 5 * (list.length - 1 - j);
        for (var b = 0; b < 5; b++) if (list[j] >> b & 1) docs.push(shift + b);
      }
      return docs;
    }
    while (at < line.length) {
      block += number();
      var units = number(), place = 0, base = m.bases[block];
      for (var u = 0; u < units; u++) {
        place += number();
        var entry = { unit: base + place, block: block, place: place, masks: [[], [], []] };
        if (kind === "w") {
          var fields = number();
          for (var f = 0; f < 3; f++) if (fields >> f & 1) entry.masks[f] = bits();
        } else if (kind === "f") {
          entry.masks[0] = bits();
        }
        found.push(entry);
      }
    }
    return found;
  }

  // ------------------------------------------------------------------ queries

  // Clauses: words (the last one also completes as a prefix, unless a space follows it;
  // "word*" always does), quoted phrases, and runs of scripts without spaces (phrases of
  // bigrams). Every clause must match.
  function parseQuery(text) {
    var clauses = [], rest = text.replace(/"([^"]*)("|$)/g, function (_, inner) {
      var words = splitWords(fold(inner)).map(function (w) { return w.text; });
      if (words.length > 1) clauses.push({ phrase: words });
      else if (words.length === 1) clauses.push({ word: words[0], exact: true });
      return " ";
    });
    var trailing = /[^\s"*]$/.test(text);
    var words = splitWords(fold(rest));
    var explicit = new Set((rest.match(/[^\s*]+\*/g) || []).map(function (w) {
      var split = splitWords(fold(w.slice(0, -1)));
      return split.length ? split[split.length - 1].text : "";
    }));
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.run) {  // bigrams of one run of a script without spaces: they follow one another
        var run = [w.text];
        while (i + 1 < words.length && words[i + 1].run === w.run) run.push(words[++i].text);
        clauses.push({ phrase: run });
        continue;
      }
      var last = i === words.length - 1;
      var prefix = explicit.has(w.text) || (last && trailing);
      if (prefix && Array.from(w.text).length < (HAS_NO_SPACE.test(w.text) ? 1 : 2)) prefix = false;
      clauses.push({ word: w.text, prefix: prefix });
    }
    return clauses;
  }

  var FIELD_WEIGHT = [6, 1, 3];  // title, body, names
  // Bytes a query's index files may take: completions of a prefix stop short of it (the
  // documents of the results shown come on top).
  var BUDGET = 220 * 1024;

  function termStem(m, words, word) {
    if (words.has(word)) return words.get(word);
    if (!stemmable(word)) return word;
    if (m.stem) return m.stem(word);
    return (m.stemmer && guessedStem(words, word)) || word;
  }

  // A form the site does not contain, in a language this script has no stemmer for: the
  // longest stem of the site's words that begins it, when what follows is an ending the
  // site's words have (the words of its vocabulary page show which): "grèves" finds
  // "grève" through its stem "grev" and the ending "es" of, say, "mesures". Short stems and
  // long endings are not guessed: "paris" is not "par" + "is".
  var MIN_GUESSED_STEM = 4, MAX_GUESSED_ENDING = 5;
  function guessedStem(words, word) {
    var endings = new Set(), best = null;
    words.forEach(function (stem, surface) {
      if (surface.length > stem.length && surface.indexOf(stem) === 0) endings.add(surface.slice(stem.length));
    });
    words.forEach(function (stem) {
      var rest = word.length - stem.length;
      if (stem.length < MIN_GUESSED_STEM || rest < 1 || rest > MAX_GUESSED_ENDING) return;
      if (best && stem.length <= best.length) return;
      if (word.indexOf(stem) === 0 && endings.has(word.slice(stem.length))) best = stem;
    });
    return best;
  }

  // Every way the word matches: [{line, quality}] (exact 3, same stem 2, completion 1).
  function resolveWord(m, clause, spentBefore) {
    return vocabulary(m, clause.word).then(function (words) {
      var stem = termStem(m, words, clause.word), stemHash = crc32(stem);
      var exact = hash6(crc32(clause.word));
      var jobs = [shard(m, stemHash % m.shards).then(function (s) {
        return (s.byStem.get(hash6(stemHash)) || []).filter(function (line) {
          return !clause.exact || line.slice(1, 7) === exact;
        }).map(function (line) {
          return { line: line, quality: line.slice(1, 7) === exact ? 3 : 2 };
        });
      })];
      var note = null;
      if (clause.prefix) {
        var completions = [];
        words.forEach(function (s, w) {
          if (w.length > clause.word.length && w.indexOf(clause.word) === 0 && s !== stem) completions.push(w);
        });
        completions.sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); });
        var loaded = Promise.resolve([]);
        completions.slice(0, 24).forEach(function (word) {
          loaded = loaded.then(function (found) {
            if (spent.bytes - spentBefore + spent.largest > BUDGET) { note = clause.word; return found; }
            var h = crc32(words.get(word));
            return shard(m, h % m.shards).then(function (s) {
              var line = s.lines.get("w" + hash6(crc32(word)));
              if (line) found.push({ line: line, quality: 1 });
              return found;
            });
          });
        });
        if (completions.length > 24) note = clause.word;
        jobs.push(loaded);
      }
      return Promise.all(jobs).then(function (parts) {
        return { matches: parts[0].concat(parts[1] || []), note: note };
      });
    });
  }

  function wordScores(m, matches) {
    var scores = new Map(), hashes = new Set();
    matches.forEach(function (match) {
      hashes.add(match.line.slice(1, 7));
      readPostings(match.line, m, "w").forEach(function (p) {
        for (var f = 0; f < 3; f++) {
          p.masks[f].forEach(function (doc) {
            var key = p.unit * 65536 + doc, weight = FIELD_WEIGHT[f] * match.quality;
            if (!(scores.get(key) >= weight)) scores.set(key, weight);
          });
        }
      });
    });
    return { scores: scores, hashes: hashes };
  }

  function resolvePhrase(m, clause) {
    var words = clause.phrase;
    var exact = words.map(function (word) {
      return resolveWord(m, { word: word, exact: true }, 0).then(function (r) {
        return wordScores(m, r.matches);
      });
    });
    var pairs = [];
    for (var i = 0; i + 1 < words.length; i++) {
      pairs.push((function (h) {
        return shard(m, h % m.pairs, "p").then(function (s) {
          var line = s.lines.get("p" + hash6(h));
          var units = new Set();
          if (line) readPostings(line, m, "p").forEach(function (p) { units.add(p.unit); });
          return units;
        });
      })(pairHash(crc32(words[i]), crc32(words[i + 1]))));
    }
    return Promise.all([Promise.all(exact), Promise.all(pairs)]).then(function (parts) {
      var each = parts[0], units = parts[1], scores = new Map(), hashes = new Set();
      each[0].scores.forEach(function (weight, key) {
        var total = weight;
        for (var j = 1; j < each.length; j++) {
          if (!each[j].scores.has(key)) return;
          total += each[j].scores.get(key);
        }
        var unit = Math.floor(key / 65536);
        for (var k = 0; k < units.length; k++) if (!units[k].has(unit)) return;
        scores.set(key, total * 2);
      });
      each.forEach(function (e) { e.hashes.forEach(function (h) { hashes.add(h); }); });
      return { scores: scores, hashes: hashes, phrase: words };
    });
  }

  function resolveFilter(m, kind, value) {
    var h = crc32("\u0001" + kind + ":" + value);
    return shard(m, h % m.shards).then(function (s) {
      var docs = new Set(), line = s.lines.get("f" + hash6(h));
      if (line) {
        readPostings(line, m, "f").forEach(function (p) {
          p.masks[0].forEach(function (doc) { docs.add(p.unit * 65536 + doc); });
        });
      }
      return docs;
    });
  }

  // Ties: reference pages (actors, pages, sources) first, then the newest briefing, the
  // briefing before its entries, later entries first.
  function locate(m, unit) {
    var lo = 0, hi = m.bases.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (m.bases[mid] <= unit) lo = mid; else hi = mid - 1;
    }
    return { block: lo, collection: m.blocks[lo][0], head: m.blocks[lo][1], place: unit - m.bases[lo] };
  }

  function rank(m, scores) {
    var found = [];
    scores.forEach(function (score, key) {
      var unit = Math.floor(key / 65536), doc = key % 65536, where = locate(m, unit);
      var briefing = where.collection === "b" ? 1 : 0;
      found.push({ key: key, unit: unit, doc: doc, score: score, briefing: briefing, where: where });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.briefing - b.briefing ||
        (a.briefing ? b.unit - a.unit : a.unit - b.unit) ||
        (a.doc === 0 ? -1 : b.doc === 0 ? 1 : b.doc - a.doc);
    });
    return found;
  }

  function search(query, filters) {
    var spentBefore = spent.bytes;
    return getManifest().then(function (m) {
      var clauses = parseQuery(query);
      var jobs = clauses.map(function (clause) {
        if (clause.phrase) return resolvePhrase(m, clause);
        return resolveWord(m, clause, spentBefore).then(function (r) {
          var scored = wordScores(m, r.matches);
          scored.note = r.note;
          return scored;
        });
      });
      var filtering = Object.keys(filters).filter(function (k) { return filters[k]; });
      var facets = filtering.map(function (name) {
        return resolveFilter(m, name[0], filters[name]);
      });
      return Promise.all([Promise.all(jobs), Promise.all(facets)]).then(function (parts) {
        var each = parts[0], sets = parts[1], scores = new Map();
        if (!each.length && !sets.length) return { m: m, results: [], hashes: new Set(), notes: [], phrases: [] };
        var first = each.length ? each[0].scores : null;
        var seed = first || sets[0];
        seed.forEach(function (value, key) {
          var k = first ? key : value, total = first ? value : 0;
          for (var j = 1; j < each.length; j++) {
            if (!each[j].scores.has(k)) return;
            total += each[j].scores.get(k);
          }
          for (var s = 0; s < sets.length; s++) if (!sets[s].has(k)) return;
          scores.set(k, total);
        });
        var hashes = new Set(), notes = [], phrases = [];
        each.forEach(function (e) {
          e.hashes.forEach(function (h) { hashes.add(h); });
          if (e.note) notes.push(e.note);
          if (e.phrase) phrases.push(e.phrase);
        });
        return { m: m, results: rank(m, scores), hashes: hashes, notes: notes, phrases: phrases };
      });
    });
  }

  // ------------------------------------------------------------------ documents shown

  // A document as its file holds it: the fields of briefgen.search.units.SearchDoc in order.
  function shown(row) {
    if (!row) return null;
    return { k: row[0], t: row[1], u: row[2], d: row[3], x: row[5], n: row[6],
      s: row[9] === "published" ? "" : row[9], c: row[10] };
  }

  function documentOf(m, result) {
    var w = result.where;
    if (w.collection === "b") {
      return loadJson("d/b/" + w.head + "/" + w.place + ".bin").then(function (rows) { return shown(rows[result.doc]); });
    }
    return loadJson("d/" + w.collection + "/" + w.head + ".bin").then(function (units) {
      return shown(units[w.place] && units[w.place][result.doc]);
    });
  }

  // The words of a text with where they stand, split as the index splits them.
  function tokens(text) {
    var found = [], match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      var word = match[0], start = match.index;
      var folded = fold(word);
      if (!HAS_NO_SPACE.test(folded)) { found.push({ text: folded, start: start, end: start + word.length }); continue; }
      var chars = Array.from(word), offset = start;  // per character: bigrams mark both
      var spans = chars.map(function (ch) { var s = offset; offset += ch.length; return [s, offset]; });
      var foldedChars = chars.map(fold);
      for (var i = 0; i < chars.length; i++) {
        if (HAS_NO_SPACE.test(foldedChars[i]) && i + 1 < chars.length && HAS_NO_SPACE.test(foldedChars[i + 1])) {
          found.push({ text: foldedChars[i] + foldedChars[i + 1], start: spans[i][0], end: spans[i + 1][1] });
        } else if (HAS_NO_SPACE.test(foldedChars[i]) && (i === 0 || !HAS_NO_SPACE.test(foldedChars[i - 1]))) {
          found.push({ text: foldedChars[i], start: spans[i][0], end: spans[i][1] });
        } else if (!HAS_NO_SPACE.test(foldedChars[i])) {
          var j = i;
          while (j + 1 < chars.length && !HAS_NO_SPACE.test(foldedChars[j + 1])) j++;
          found.push({ text: foldedChars.slice(i, j + 1).join(""), start: spans[i][0], end: spans[j][1] });
          i = j;
        }
      }
    }
    return found;
  }

  function hasPhrase(text, phrase) {
    var words = tokens(text).map(function (t) { return t.text; });
    outer: for (var i = 0; i + phrase.length <= words.length; i++) {
      for (var j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
      return true;
    }
    return false;
  }

  function marked(text, hashes, limit) {
    var found = tokens(text).filter(function (t) { return hashes.has(hash6(crc32(t.text))); });
    var start = 0, end = text.length;
    if (limit && text.length > limit) {
      var center = found.length ? found[0].start : 0;
      var best = 0;
      found.forEach(function (t) {  // the window holding the most matches
        var n = found.filter(function (u) { return u.start >= t.start - 40 && u.end <= t.start + limit - 40; }).length;
        if (n > best) { best = n; center = t.start; }
      });
      start = Math.max(0, center - 40);
      while (start > 0 && /\S/.test(text[start - 1])) start--;
      end = Math.min(text.length, start + limit);
      while (end < text.length && /\S/.test(text[end])) end++;
    }
    var fragment = document.createDocumentFragment();
    if (start > 0) fragment.appendChild(document.createTextNode("… "));
    var at = start, count = 0;
    found.forEach(function (t) {
      if (t.start < at || t.end > end) return;
      fragment.appendChild(document.createTextNode(text.slice(at, t.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(t.start, t.end);
      fragment.appendChild(mark);
      at = t.end;
      count++;
    });
    fragment.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? " …" : "")));
    return { node: fragment, count: count };
  }

  function render(doc, hashes) {
    var li = document.createElement("li");
    var kind = document.createElement("span");
    kind.className = "bg-result-kind";
    kind.textContent = doc.k + (doc.d ? " · " + doc.d : "");
    if (doc.s) {  // a draft or scheduled document, in builds that show them
      var badge = document.createElement("span");
      badge.className = "bg-badge bg-badge-" + doc.s;
      badge.textContent = word("status_" + doc.s);
      kind.appendChild(document.createTextNode(" "));
      kind.appendChild(badge);
    }
    var a = document.createElement("a");
    a.href = doc.u;
    a.appendChild(marked(doc.t, hashes, 0).node);
    li.appendChild(kind);
    li.appendChild(a);
    if (doc.c) {
      var context = document.createElement("span");
      context.className = "bg-result-context";
      context.textContent = word("in_briefing", { briefing: doc.c });
      li.appendChild(context);
    }
    var body = marked(doc.x || "", hashes, 240);
    var p = document.createElement("p");
    p.appendChild(body.node);
    li.appendChild(p);
    var names = (doc.n || "").split(" · ").map(function (name) { return marked(name, hashes, 0); })
      .filter(function (name) { return name.count; });
    if (names.length) {  // the names of linked actors that matched (an alias, say)
      var links = document.createElement("p");
      links.className = "bg-result-names";
      links.appendChild(document.createTextNode(word("names") + " "));
      names.forEach(function (name, i) {
        if (i) links.appendChild(document.createTextNode(" · "));
        links.appendChild(name.node);
      });
      li.appendChild(links);
    }
    return li;
  }

  // ------------------------------------------------------------------ running queries

  var PAGE = 10, current = null, asked = 0;

  function filtersNow() {
    var found = {};
    Object.keys(selects).forEach(function (name) { found[name] = selects[name].value; });
    return found;
  }

  function say(text) { status.textContent = text; }

  function count(n) { return word("results_count", { n: n }); }

  // The next page of results; a result that a phrase's pairs found apart is dropped, and
  // the next one taken instead.
  function showMore(wanted) {
    var run = current;
    if (!run) return Promise.resolve();
    wanted = wanted || PAGE;
    var batch = [];
    while (batch.length < wanted && run.next < run.results.length) batch.push(run.results[run.next++]);
    return Promise.all(batch.map(function (result) { return documentOf(run.m, result); })).then(function (docs) {
      if (run !== current) return;
      var dropped = 0;
      docs.forEach(function (doc) {
        var whole = doc && run.phrases.every(function (phrase) {
          return [doc.t, doc.x || "", doc.n || ""].some(function (t) { return hasPhrase(t, phrase); });
        });
        if (!whole) { dropped++; return; }
        list.appendChild(render(doc, run.hashes));
      });
      run.total -= dropped;
      report(run);
      if (dropped && run.next < run.results.length) return showMore(dropped);
      if (more) more.hidden = run.next >= run.results.length;
    });
  }

  function report(run) {
    var text = count(run.total);
    if (run.notes.length) text += " " + word("common_only", { words: "“" + run.notes.join("”, “") + "”" });
    say(text);
  }

  function run() {
    var query = input.value, filters = filtersNow(), mine = ++asked;
    var active = query.trim() || Object.keys(filters).some(function (k) { return filters[k]; });
    list.textContent = "";
    if (more) more.hidden = true;
    if (!active) { current = null; say(""); return Promise.resolve(); }
    if (!manifest) say(word("loading"));
    return search(query, filters).then(function (found) {
      if (mine !== asked) return;
      current = { m: found.m, results: found.results, next: 0, total: found.results.length,
        hashes: found.hashes, notes: found.notes, phrases: found.phrases };
      report(current);
      return showMore();
    }).catch(function () {
      if (mine === asked) say(word("index_failed"));
    });
  }

  function remember() {
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    Object.keys(selects).forEach(function (name) {
      if (selects[name].value) url.searchParams.set(name, selects[name].value);
      else url.searchParams.delete(name);
    });
    window.history.replaceState(null, "", url);
  }

  var filtersLoaded = null;
  function loadFilters() {
    if (!filtersLoaded) {
      filtersLoaded = loadJson("filters.bin").then(function (data) {
        function fill(select, options) {
          options.forEach(function (o) {
            var option = document.createElement("option");
            option.value = o[0];
            option.textContent = o[1];
            select.appendChild(option);
          });
        }
        if (selects.actor) fill(selects.actor, data.actors);
        if (selects.topic) fill(selects.topic, data.topics);
        if (selects.year) fill(selects.year, data.years.slice().reverse().map(function (y) { return [String(y), String(y)]; }));
      });
    }
    return filtersLoaded;
  }

  var timer = 0;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    run();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(); }, 120);
  });
  Object.keys(selects).forEach(function (name) {
    selects[name].addEventListener("change", function () { remember(); run(); });
  });
  if (filterBox) filterBox.addEventListener("toggle", function () { if (filterBox.open) loadFilters(); });
  if (more) more.addEventListener("click", function () { showMore(PAGE); });

  var params = new URLSearchParams(window.location.search);
  var wanted = Object.keys(selects).filter(function (name) { return params.get(name); });
  var ready = wanted.length ? loadFilters().then(function () {
    wanted.forEach(function (name) { selects[name].value = params.get(name); });
    if (filterBox) filterBox.open = true;
  }) : Promise.resolve();
  ready.then(function () {
    var initial = params.get("q");
    if (initial) input.value = initial;
    if (initial || wanted.length) run();
  });
})();
