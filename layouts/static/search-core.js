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

  // Parse the query the way lunr.Index#search will; list the shards its terms live in.
  function parseQuery(m, queryString) {
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
    var files = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; })
      .map(function (i) { return shardFile(m, m.shards[i]); });
    return { query: query, files: files };
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
  // postings: term -> {field: [delta, tf, length, ...]}; withTerm: lunr's idf count of big terms,
  // whose postings hold only the tiers loaded so far.
  function assemble(m, postings, withTerm) {
    var terms = Object.keys(postings).sort();
    var boosts = Object.create(null);
    m.fields.forEach(function (f) { boosts[f[0]] = f[1]; });
    var vectors = Object.create(null);
    var invertedIndex = terms.map(function (term, termIndex) {
      var fields = postings[term];
      var posting = { _index: termIndex };
      var documentsWithTerm = 0;
      m.fields.forEach(function (f) {
        posting[f[0]] = {};
        if (fields[f[0]]) documentsWithTerm += fields[f[0]].length / 3;
      });
      var termIdf = idf(withTerm[term] !== undefined ? withTerm[term] : documentsWithTerm, m.document_count);
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

  // Best score first; scores equal to 9 decimals are ties (sums in another order differ in the
  // last bits), and a tie goes to the newer paper.
  function byScore(a, b) {
    return Math.round(b.score * 1e9) - Math.round(a.score * 1e9) || Number(b.ref) - Number(a.ref);
  }

  function mergeFields(target, fields) {
    Object.keys(fields).forEach(function (field) {
      var merged = (target[field] || []).slice(), numbers = fields[field], previous = 0, doc = 0;
      // Tiers are delta-encoded separately: decode to absolute numbers, merge, re-encode.
      var entries = [];
      for (var i = 0; i < merged.length; i += 3) { doc += merged[i]; entries.push([doc, merged[i + 1], merged[i + 2]]); }
      doc = 0;
      for (var j = 0; j < numbers.length; j += 3) { doc += numbers[j]; entries.push([doc, numbers[j + 1], numbers[j + 2]]); }
      entries.sort(function (a, b) { return a[0] - b[0]; });
      var encoded = [];
      entries.forEach(function (e) { encoded.push(e[0] - previous, e[1], e[2]); previous = e[0]; });
      target[field] = encoded;
    });
  }

  // Weight of each (term, field) in lunr's score: the clause boost over the field query vector's
  // length, built the way lunr.Index#query builds it.
  function queryWeights(index, query) {
    var vectors = Object.create(null), presence = Object.create(null);
    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline ? index.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        var clauseTerm = { term: term };  // a copy: lunr must still see the clause as the reader typed it
        if ("editDistance" in clause) clauseTerm.editDistance = clause.editDistance;
        var expanded = index.tokenSet.intersect(lunr.TokenSet.fromClause(clauseTerm)).toArray();
        expanded.forEach(function (t) {
          if (clause.presence !== lunr.Query.presence.OPTIONAL) presence[t] = true;
          if (clause.presence === lunr.Query.presence.PROHIBITED) return;
          clause.fields.forEach(function (field) {
            vectors[field] = vectors[field] || Object.create(null);
            vectors[field][t] = (vectors[field][t] || 0) + clause.boost;
          });
        });
      });
    });
    var weights = Object.create(null);
    Object.keys(vectors).forEach(function (field) {
      var length = Math.sqrt(Object.keys(vectors[field]).reduce(function (sum, t) {
        return sum + vectors[field][t] * vectors[field][t]; }, 0));
      Object.keys(vectors[field]).forEach(function (t) {
        weights[t] = weights[t] || Object.create(null);
        weights[t][field] = vectors[field][t] / length;
      });
    });
    return { weights: weights, mustLoadAll: presence };
  }

  // Search for the best `wanted` papers. Big terms are loaded tier by tier, best documents first,
  // until no paper outside the top `wanted` could outscore them: the answer equals one unsplit
  // index's. Resolves to {results, total, complete, files}: total is exact when complete.
  function search(queryString, wanted) {
    wanted = wanted || 20;
    return manifest().then(function (m) {
      var parsed = parseQuery(m, queryString);
      return Promise.all(parsed.files.map(loadOnce)).then(function (shards) {
        var postings = Object.create(null), withTerm = Object.create(null), big = Object.create(null);
        var files = ["search/manifest.json"].concat(parsed.files);
        shards.forEach(function (shard) {
          Object.keys(shard).forEach(function (term) {
            var value = shard[term];
            if (value.tiers) {
              big[term] = { tiers: value.tiers, loaded: 0, docs: Object.create(null), after: {} };
              withTerm[term] = value["with"];
              postings[term] = {};
            } else {
              postings[term] = value;
            }
          });
        });

        function tierFile(term, tier) {
          return m.big_dir + shardFile(m, term).slice(m.terms_dir.length, -5) + "." + tier + ".json";
        }

        function loadTier(term) {
          var info = big[term], path = tierFile(term, info.loaded);
          files.push(path);
          return loadOnce(path).then(function (tier) {
            Object.keys(tier.fields).forEach(function (field) {
              var numbers = tier.fields[field], doc = 0;
              for (var i = 0; i < numbers.length; i += 3) { doc += numbers[i]; info.docs[doc] = true; }
            });
            mergeFields(postings[term], tier.fields);
            info.after = tier.after;
            info.loaded += 1;
          });
        }

        function run() {
          var index = assemble(m, postings, withTerm);
          var results;
          try {
            results = index.search(queryString);
          } catch (error) {
            if (error instanceof lunr.QueryParseError) throw new SearchError(error.message);
            throw error;
          }
          results.sort(byScore);
          var plan = queryWeights(index, parsed.query);
          var partial = Object.keys(big).filter(function (t) {
            return big[t].loaded < big[t].tiers && (plan.weights[t] || plan.mustLoadAll[t]);
          });
          // Every big term the query reaches starts with its best tier, or with every tier an
          // earlier query already fetched (they cost nothing now).
          var fresh = partial.filter(function (t) { return big[t].loaded === 0; });
          if (fresh.length) {
            return Promise.all(fresh.map(function (t) {
              var load = function () {
                return loadTier(t).then(function () {
                  if (big[t].loaded < big[t].tiers && fileCache[tierFile(t, big[t].loaded)]) return load();
                });
              };
              return load();
            })).then(run);
          }
          // A required or prohibited big term decides which papers qualify: load it whole.
          var whole = partial.filter(function (t) { return plan.mustLoadAll[t]; });
          if (whole.length) return Promise.all(whole.map(loadTier)).then(run);
          if (!partial.length) return { results: results, total: results.length, complete: true, files: files };
          // What an unloaded entry of a term could still add to a paper's score.
          var margin = Object.create(null), unseen = 0;
          partial.forEach(function (t) {
            margin[t] = Object.keys(plan.weights[t]).reduce(function (sum, field) {
              return sum + plan.weights[t][field] * ((big[t].after[field] || 0) + 0.001);
            }, 0);
            unseen += margin[t];
          });
          var hasRequired = parsed.query.clauses.some(function (c) { return c.presence === lunr.Query.presence.REQUIRED; });
          function upper(result) {
            return partial.reduce(function (sum, t) { return big[t].docs[result.ref] ? sum : sum + margin[t]; }, result.score);
          }
          var top = results.slice(0, wanted);
          var certain = top.length === wanted &&
            top.every(function (r) { return upper(r) === r.score; }) &&
            results.slice(wanted).every(function (r) { return upper(r) < top[wanted - 1].score; }) &&
            (hasRequired || unseen < top[wanted - 1].score);
          if (certain) return { results: top, total: results.length, complete: false, files: files };
          // Not certain yet: load the next tier of every term that could still change the answer.
          return Promise.all(partial.map(loadTier)).then(run);
        }

        return run();
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
