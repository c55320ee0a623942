// dailypapers search in the page: loaded only when a reader focuses a search box or opens the
// search page. Results update as you type; arrows and Enter pick one; the search page keeps its
// query in the address, so it can be shared and the back button brings it back.
(function () {
  "use strict";
  if (window.dailypapersSearchUI) return;
  window.dailypapersSearchUI = true;

  // Every page says where the site's root is, relative to itself.
  var root = new URL(document.documentElement.getAttribute("data-root") || "./", window.location.href).href;
  var core = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(element);
    });
  }

  function loadJSON(path) {
    return fetch(root + path).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  }

  // What a paper's page says of it, for snippets and phrases.
  function loadPaperPage(path) {
    return fetch(root + path).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      // Math reads as its TeX, as the record (and the day's API file) has it.
      page.querySelectorAll(".abstract math").forEach(function (math) {
        var tex = math.querySelector("annotation");
        math.replaceWith("$" + (tex ? tex.textContent : math.textContent) + "$");
      });
      function text(selector) { var found = page.querySelector(selector); return found ? found.textContent : ""; }
      return { authors: text(".paper-authors"), organization: text(".organization"), abstract: text(".abstract") };
    });
  }

  function searchCore() {
    if (!core) {
      // Both at once (the search page preloads them): the core runs nothing until lunr is here.
      core = Promise.all([loadScript(root + "static/lunr.min.js"), loadScript(root + "static/search-core.js")])
        .then(function () { return window.dailypapersSearch(window.lunr, loadJSON, loadPaperPage); });
      core.catch(function () { core = null; });  // a failed load is tried again with the next query
    }
    return core;
  }

  // Words of an abstract that lunr matched, found the way the index was made (lunr.py's pipeline:
  // trimmed of punctuation, lowercased, stemmed).
  var EDGES = /^([^\p{L}\p{N}_]*)(.*?)([^\p{L}\p{N}_]*)$/u;  // Python's \W, around a word
  function normalise(word, stem) {
    return stem(EDGES.exec(word.toLowerCase())[2]);
  }

  function snippet(abstract, matched, stem) {
    var words = abstract.split(/([\s\-]+)/);  // lunr's own separator: spaces and hyphens
    var hits = [];
    for (var i = 0; i < words.length; i += 2) {
      if (words[i] && matched[normalise(words[i], stem)]) hits.push(i);
    }
    var first = hits.length ? hits[0] : 0;
    // A few words before the first hit, so it sits on the first or second of the snippet's lines.
    var start = Math.max(0, first - 12), end = Math.min(words.length, start + 80);
    var fragment = document.createDocumentFragment();
    if (start > 0) fragment.appendChild(document.createTextNode("… "));
    for (var j = start; j < end; j++) {
      if (j % 2 === 0 && hits.indexOf(j) !== -1) {
        var parts = EDGES.exec(words[j]);  // the word is marked, not the punctuation around it
        var mark = document.createElement("mark");
        mark.textContent = parts[2];
        if (parts[1]) fragment.appendChild(document.createTextNode(parts[1]));
        fragment.appendChild(mark);
        if (parts[3]) fragment.appendChild(document.createTextNode(parts[3]));
      } else {
        fragment.appendChild(document.createTextNode(words[j]));
      }
    }
    if (end < words.length) fragment.appendChild(document.createTextNode(" …"));
    return fragment;
  }

  function matchedTerms(result) {
    var terms = Object.create(null);
    Object.keys(result.matchData.metadata).forEach(function (term) { terms[term] = true; });
    return terms;
  }

  function Results(input, list, status, options) {
    this.input = input;
    this.list = list;
    this.status = status;
    this.options = options;
    this.run = 0;
    this.shown = [];
    this.waiting = new Map();  // snippets not yet seen, by their element
    var self = this, timer = null;
    input.setAttribute("aria-controls", list.id);
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.update(input.value); }, 120);
    });
    // Arrow keys move real focus between the result links; Enter then follows the link.
    input.addEventListener("keydown", function (event) { self.key(event, -1); });
    list.addEventListener("keydown", function (event) {
      self.key(event, self.shown.indexOf(document.activeElement));
    });
  }

  Results.prototype.say = function (text) {
    this.status.textContent = text;
    this.status.hidden = !text;
  };

  // more: show the next page of results too; limit: show this many (a page being restored).
  Results.prototype.update = function (query, more, limit) {
    var self = this, run = ++this.run;
    this.limit = limit || (more ? this.limit + this.options.limit : this.options.limit);
    if (this.options.more) this.options.more.hidden = true;
    if (!more && this.options.onQuery) this.options.onQuery(query);
    if (!query.trim()) {
      this.clear();
      this.say(this.options.emptyText || "");
      return Promise.resolve();
    }
    this.say("Searching…");
    return searchCore().then(function (search) {
      return search.find(query, self.limit).then(function (found) {
        if (run !== self.run) return null;
        var results = found.results.slice(0, self.limit);
        return Promise.all(results.map(function (result) { return search.details(result.ref); }))
          .then(function (details) {
            if (run !== self.run) return;
            self.render(results, details, search, found, query);
          });
      });
    }).catch(function (error) {
      if (run !== self.run) return;
      self.clear();
      self.say(error && error.name === "SearchError" ? error.message
        : "Search could not load. Check your connection and try again.");
    });
  };

  Results.prototype.clear = function () {
    if (this.watcher) this.watcher.disconnect();
    this.waiting = new Map();
    this.list.textContent = "";
    this.shown = [];
  };

  // A snippet costs a download, so it is fetched only when the reader is about to see it: a phone
  // showing four results downloads four snippets' worth, not twenty.
  Results.prototype.whenSeen = function (element, show) {
    if (!("IntersectionObserver" in window)) return show();
    var self = this;
    if (!this.watcher) {
      this.watcher = new IntersectionObserver(function (entries, watcher) {
        entries.forEach(function (entry) {
          var pending = self.waiting.get(entry.target);
          if (!entry.isIntersecting || !pending) return;
          self.waiting.delete(entry.target);
          watcher.unobserve(entry.target);
          pending();
        });
      }, { rootMargin: "200px 0px" });
    }
    this.waiting.set(element, show);
    this.watcher.observe(element);
  };

  // found.total is exact when found.complete; otherwise the best results are certain but more
  // papers match than were looked at.
  Results.prototype.render = function (results, details, search, found, query) {
    var total = found.total;
    var self = this;
    this.clear();
    if (!results.length && found.phraseChecked) {
      this.say("None of the best " + found.phraseChecked + " papers with all of these words has them in that order.");
      if (this.options.more) this.options.more.hidden = found.exhausted;
      return;
    }
    if (!results.length) {
      this.say("No papers match “" + query + "”. Try fewer or shorter words, a prefix such as gener*, " +
        "or an author's surname.");
      return;
    }
    var count = found.phraseChecked
      ? results.length + (results.length === 1 ? " paper has" : " papers have") + " the words in that order, among the best " +
        found.phraseChecked + " with all of them."
      : found.complete
      ? (total === 1 ? "1 paper found." : total + " papers found" +
        (total > results.length ? ", showing the first " + results.length + "." : "."))
      : "More than " + total + " papers found, showing the best " + results.length + ".";
    var notes = [];
    (found.corrected || []).forEach(function (pair) {
      notes.push("Showing results for “" + pair[1] + "”: no paper has “" + pair[0] + "”.");
    });
    if (found.anyWord) notes.push("No paper has all of these words; these have some of them.");
    if (found.anyOrder) notes.push("No paper has the quoted words in that order; these have them all.");
    if (found.common && found.common.length) {
      notes.push(found.common.map(function (w) { return "“" + w + "”"; }).join(", ") +
        (found.common.length === 1 ? " is" : " are") + " too common to search and left out.");
    }
    this.say(notes.concat([count]).join(" "));
    if (this.options.more) this.options.more.hidden = found.phraseChecked ? found.exhausted : found.complete && total <= results.length;
    var shownOfDay = Object.create(null);
    details.forEach(function (info) { shownOfDay[info.dayRecords] = (shownOfDay[info.dayRecords] || 0) + 1; });
    results.forEach(function (result, position) {
      var info = details[position];
      var cards = self.options.cards;  // the search page shows cards like every listing; the header, lines
      var item = document.createElement("li");
      item.className = cards ? "search-result card" : "search-result";
      var link = document.createElement("a");
      link.href = root + info.path;
      link.className = "search-result-title";
      link.textContent = info.title;
      var day = document.createElement("a");
      day.href = root + info.dayPath;
      day.textContent = info.day;
      if (cards) {
        var heading = document.createElement("h2");
        heading.className = "card-title";
        heading.appendChild(link);
        var authors = document.createElement("p");
        authors.className = "card-authors search-result-meta";
        authors.textContent = info.authors;
        var featured = document.createElement("p");
        featured.className = "card-meta";
        var when = document.createElement("span");  // as a card says it
        when.appendChild(document.createTextNode("Featured "));
        when.appendChild(day);
        featured.appendChild(when);
        item.appendChild(heading);
        item.appendChild(authors);
        item.appendChild(featured);
      } else {
        var meta = document.createElement("p");
        meta.className = "search-result-meta";
        meta.appendChild(document.createTextNode(info.authors + " · "));
        meta.appendChild(day);
        item.appendChild(link);
        item.appendChild(meta);
      }
      if (self.options.snippets) {
        var text = document.createElement("p");
        text.className = "search-result-snippet card-opening";
        item.appendChild(text);
        self.whenSeen(text, function () {
          search.paperText(result.ref, shownOfDay[info.dayRecords]).then(function (paper) {
            text.appendChild(snippet(paper ? paper.abstract : "", matchedTerms(result), search.stem));
          }).catch(function () {});
        });
      }
      self.list.appendChild(item);
      self.shown.push(link);
    });
  };

  // position: the result link that has focus, or -1 when the search box has it.
  Results.prototype.key = function (event, position) {
    var count = this.shown.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      this.shown[(position + 1) % count].focus();
    } else if (event.key === "ArrowUp" && count && position !== -1) {
      event.preventDefault();
      if (position === 0) this.input.focus(); else this.shown[position - 1].focus();
    } else if (event.key === "Escape") {
      this.input.focus();
      if (this.options.onEscape) this.options.onEscape();
    }
  };

  function setUpSearchPage(page) {
    var input = page.querySelector("#search-page-input");
    var more = page.querySelector("#search-more");
    var results = new Results(input, page.querySelector("#search-results"), page.querySelector("#search-status"), {
      limit: 20,
      more: more,
      snippets: true,
      cards: true,
      emptyText: "Type words from a title, an author's name, an organization or an abstract.",
      // The address follows the box as the reader types: one query, one history entry.
      onQuery: function (query) {
        var url = new URL(window.location.href);
        if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
        if (url.href !== window.location.href) window.history.replaceState(null, "", url.href);
      }
    });
    more.addEventListener("click", function () {
      var focused = results.shown.length;
      results.update(input.value, true).then(function () {
        if (results.shown[focused]) results.shown[focused].focus();  // carry on reading where the list grew
      });
    });
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();  // the results are already the box's: Enter adds no history entry
      if (results.shown[0]) results.shown[0].focus();
    });
    // Leaving for a result: remember where the reader was, for the Back button to bring back.
    if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
    function remember() {
      window.history.replaceState({ scroll: window.scrollY, shown: results.shown.length,
        focus: results.shown.indexOf(document.activeElement) }, "", window.location.href);
    }
    window.addEventListener("pagehide", remember);
    page.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a")) remember();
    });
    window.addEventListener("popstate", function () {
      input.value = new URL(window.location.href).searchParams.get("q") || "";
      results.update(input.value);
    });
    // Keep what the reader typed before this script arrived; the address wins when it has a query.
    input.value = new URL(window.location.href).searchParams.get("q") || input.value;
    var back = window.history.state;
    results.update(input.value, false, back && back.shown).then(function () {
      if (!back || typeof back.scroll !== "number") return;
      window.scrollTo(0, back.scroll);
      var link = results.shown[back.focus];
      if (link) link.focus({ preventScroll: true });
    });
    if (!input.value) input.focus();
  }

  function setUpHeaderBox(input) {
    var panel = document.createElement("div");
    panel.className = "search-panel";
    panel.hidden = true;
    var status = document.createElement("p");
    status.className = "search-status";
    status.setAttribute("role", "status");
    var list = document.createElement("ol");
    list.id = "search-suggestions";
    list.className = "search-results";
    list.setAttribute("aria-label", "Papers found");
    var all = document.createElement("a");
    all.className = "search-all";
    all.textContent = "All results on the search page";
    panel.appendChild(status);
    panel.appendChild(list);
    panel.appendChild(all);
    input.form.appendChild(panel);
    var results = new Results(input, list, status, {
      limit: 6,
      snippets: false,
      onQuery: function (query) {
        panel.hidden = !query.trim();
        all.href = input.form.action + "?q=" + encodeURIComponent(query);  // the search page, as the form says
      },
      onEscape: function () { panel.hidden = true; }
    });
    input.addEventListener("focus", function () { if (input.value.trim()) panel.hidden = false; });
    document.addEventListener("click", function (event) {
      if (!input.form.contains(event.target)) panel.hidden = true;
    });
    if (input.value.trim()) results.update(input.value);
  }

  var page = document.getElementById("search-page");
  if (page) setUpSearchPage(page);
  var header = document.getElementById("site-search");
  if (header && !page) setUpHeaderBox(header);
  searchCore();  // start loading lunr.js while the reader types
})();
