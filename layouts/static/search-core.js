// dailypapers search core: load only the shards a query needs, rebuild lunr's scores from the
// counts they hold, and let lunr.js answer. Runs in the browser and under Node (the tests).
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.dailypapersSearch = factory;
  }
})(this, function (lunr, load) {
  "use strict";
  // load(path) resolves to the parsed JSON of a file of the site, path relative to its root.

  var manifestPromise = null;
  var fileCache = Object.create(null);
  var searchPipeline = new lunr.Pipeline();
  searchPipeline.add(lunr.stemmer);

  function loadOnce(path) {
    if (!fileCache[path]) {
      fileCache[path] = load(path).catch(function (error) {
        delete fileCache[path];
        throw error;
      });
    }
    return fileCache[path];
  }

  function manifest() {
    if (!manifestPromise) manifestPromise = loadOnce("search/manifest.json");
    return manifestPromise;
  }

  // Compare by Unicode code points, the order Python sorted the terms in.
  function compare(a, b) {
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return (a.length - i) - (b.length - j);
  }

  // The shard holding a term: the last shard whose first prefix sorts at or before it.
  function shardIndex(starts, term) {
    var low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (compare(starts[middle], term) <= 0) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  function shardFile(m, start) {
    if (start === "") return m.terms_dir + "_.json";
    var name = "";
    for (var i = 0; i < start.length; i++) {
      var code = start.codePointAt(i);
      var ch = String.fromCodePoint(code);
      if (code > 0xffff) i++;
      name += /^[a-z0-9]$/i.test(ch) ? ch : "_" + code.toString(16) + "_";
    }
    return m.terms_dir + name + ".json";
  }

  function SearchError(message) {
    this.name = "SearchError";
    this.message = message;
  }
  SearchError.prototype = Object.create(Error.prototype);

  // Parse the query the way lunr.Index#search will, and list the shards its terms live in.
  function shardsForQuery(m, queryString) {
    var fields = m.fields.map(function (f) { return f[0]; });
    var query = new lunr.Query(fields);
    try {
      new lunr.QueryParser(queryString, query).parse();
    } catch (error) {
      if (error instanceof lunr.QueryParseError) {
        throw new SearchError("That search could not be read (" + error.message + "). A word may start with " +
          "a field (" + fields.map(function (f) { return f + ":"; }).join(" ") + ") or + or -, and end with * or ~1.");
      }
      throw error;
    }
    var wanted = Object.create(null);
    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline ? searchPipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        var star = term.indexOf("*");
        var fuzzy = clause.editDistance > 0;
        var prefix = star === -1 ? term : term.slice(0, star);
        if (fuzzy) prefix = prefix.slice(0, 1);  // edits keep the first letter; see README
        if (prefix === "" && (star !== -1 || fuzzy)) {
          throw new SearchError("A search word cannot start with * or be only a fuzzy match; type its first letters.");
        }
        var first = shardIndex(m.shards, prefix);
        if (first >= 0) wanted[first] = true;
        if (star === -1 && !fuzzy) return;
        // The shards after it hold words beginning with the prefix while their first prefix does.
        for (var i = first + 1; i < m.shards.length && m.shards[i].indexOf(prefix) === 0; i++) {
          wanted[i] = true;
        }
      });
    });
    return Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; })
      .map(function (i) { return shardFile(m, m.shards[i]); });
  }

  // Python's round(x, 3): the decimal nearest the exact value, as lunr.py stores scores.
  function round3(x) {
    return parseFloat(x.toFixed(3));
  }

  function idf(documentsWithTerm, documentCount) {
    var x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
    return Math.log(1 + Math.abs(x));
  }

  // Build a lunr index holding the loaded terms, with the scores lunr's builder gives them.
  function assemble(m, shards) {
    var postings = Object.create(null);
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (term) { postings[term] = shard[term]; });
    });
    var terms = Object.keys(postings).sort();
    var boosts = Object.create(null);
    m.fields.forEach(function (f) { boosts[f[0]] = f[1]; });
    var vectors = Object.create(null);
    var invertedIndex = terms.map(function (term, termIndex) {
      var fields = postings[term];
      var posting = { _index: termIndex };
      var withTerm = 0;
      m.fields.forEach(function (f) {
        posting[f[0]] = {};
        if (fields[f[0]]) withTerm += fields[f[0]].length / 3;
      });
      var termIdf = idf(withTerm, m.document_count);
      Object.keys(fields).forEach(function (field) {
        var numbers = fields[field], average = m.average_field_length[field], doc = 0;
        for (var i = 0; i < numbers.length; i += 3) {
          doc += numbers[i];
          var tf = numbers[i + 1], length = numbers[i + 2], ref = String(doc);
          posting[field][ref] = {};
          var score = termIdf * ((m.k1 + 1) * tf) / (m.k1 * (1 - m.b + m.b * (length / average)) + tf);
          score *= boosts[field];
          var key = field + "/" + ref;
          (vectors[key] = vectors[key] || []).push(termIndex, round3(score));
        }
      });
      return [term, posting];
    });
    return lunr.Index.load({
      version: lunr.version,
      fields: m.fields.map(function (f) { return f[0]; }),
      fieldVectors: Object.keys(vectors).map(function (key) { return [key, vectors[key]]; }),
      invertedIndex: invertedIndex,
      pipeline: ["stemmer"]
    });
  }

  function dayOf(m, ref) {
    var ordinal = Math.floor(Number(ref) / m.slots_per_day);
    // Python's date.toordinal() counts 1 for 0001-01-01; 719163 is 1970-01-01.
    return new Date((ordinal - 719163) * 86400000).toISOString().slice(0, 10);
  }

  // Search: resolve to {results: [{ref, score, matchData}], files: [paths loaded]}.
  function search(queryString) {
    return manifest().then(function (m) {
      var files = shardsForQuery(m, queryString);
      return Promise.all(files.map(loadOnce)).then(function (shards) {
        var index = assemble(m, shards);
        var results;
        try {
          results = index.search(queryString);
        } catch (error) {
          if (error instanceof lunr.QueryParseError) throw new SearchError(error.message);
          throw error;
        }
        // Equal scores: newer paper first, then by number, so ties never depend on load order.
        results.sort(function (a, b) { return b.score - a.score || Number(b.ref) - Number(a.ref); });
        return { results: results, files: ["search/manifest.json"].concat(files) };
      });
    });
  }

  // The title, authors, day and addresses of a hit, from the file of its day.
  function details(ref) {
    return manifest().then(function (m) {
      var day = dayOf(m, ref);
      return loadOnce(m.days_dir + day + ".json").then(function (file) {
        var paper = file.papers[Number(ref) % m.slots_per_day];
        return { ref: ref, path: paper[0], title: paper[1], authors: paper[2], api: paper[3],
                 day: file.label, dayPath: file.path };
      });
    });
  }

  return { search: search, details: details, load: loadOnce, SearchError: SearchError };
});
