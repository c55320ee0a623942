// dailypapers search core: load only the shards a query needs, rebuild lunr's scores from the
// counts they hold, and let lunr.js answer. Runs in the browser and under Node (the tests).
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.dailypapersSearch = factory;
  }
})(this, function (lunr, load, loadPaperPage) {
  "use strict";
  // load(path) resolves to the parsed JSON of a file of the site, path relative to its root;
  // loadPaperPage(path), if given, to {authors, organization, abstract} as a paper's page shows them.

  var manifestPromise = null;
  var fileCache = Object.create(null);

  // The rules of steps 2 to 4 of lunr.py's stemmer, by the letter they look at: [suffix, replacement].
  var STEP2 = {
    a: [["ational", "ate"], ["tional", "tion"]], c: [["enci", "ence"], ["anci", "ance"]], e: [["izer", "ize"]],
    l: [["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"]],
    o: [["ization", "ize"], ["ation", "ate"], ["ator", "ate"]],
    s: [["alism", "al"], ["iveness", "ive"], ["fulness", "ful"], ["ousness", "ous"]],
    t: [["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"]], g: [["logi", "log"]]
  };
  var STEP3 = {
    e: [["icate", "ic"], ["ative", ""], ["alize", "al"]], i: [["iciti", "ic"]],
    l: [["ical", "ic"], ["ful", ""]], s: [["ness", ""]]
  };
  var STEP4 = {
    a: ["al"], c: ["ance", "ence"], e: ["er"], i: ["ic"], l: ["able", "ible"], n: ["ant", "ement", "ment", "ent"],
    o: ["ion", "ou"], s: ["ism"], t: ["ate", "iti"], u: ["ous"], v: ["ive"], z: ["ize"]
  };

  // The stemmer the index was built with: lunr.py's Porter stemmer, the Python reference version.
  // lunr.js's own differs on a final y after a vowel ("toys" is "toi" in the index, "toy" in
  // lunr.js), so a query stemmed by lunr.js would miss "toys", "play", "survey" or "Berkeley".
  function stem(word) {
    var b = word, k = word.length - 1, j = 0;
    function consonant(i) {
      var c = b[i];
      if (c === "a" || c === "e" || c === "i" || c === "o" || c === "u") return false;
      if (c === "y") return i === 0 || !consonant(i - 1);
      return true;
    }
    function measure() {  // how many vowel-consonant runs b[0..j] holds
      var n = 0, i = 0;
      while (i <= j && consonant(i)) i++;
      while (i <= j) {
        while (i <= j && !consonant(i)) i++;
        if (i > j) break;
        n++;
        while (i <= j && consonant(i)) i++;
      }
      return n;
    }
    function vowelInStem() {
      for (var i = 0; i <= j; i++) if (!consonant(i)) return true;
      return false;
    }
    function doubled(i) { return i >= 1 && b[i] === b[i - 1] && consonant(i); }
    function shortSyllable(i) {  // consonant, vowel, consonant other than w, x or y
      return i >= 2 && consonant(i) && !consonant(i - 1) && consonant(i - 2) && "wxy".indexOf(b[i]) === -1;
    }
    function ends(suffix) {
      var n = suffix.length;
      if (n > k + 1 || b.slice(k - n + 1, k + 1) !== suffix) return false;
      j = k - n;
      return true;
    }
    function setTo(text) {  // the suffix after j becomes text (what lies past k is never read)
      b = b.slice(0, j + 1) + text + b.slice(j + 1 + text.length);
      k = j + text.length;
    }
    function replaceIfMeasured(text) { if (measure() > 0) setTo(text); }
    // Each rule list: [suffix, replacement], the first suffix the word ends with applies.
    function firstOf(rules, apply) {
      for (var r = 0; r < rules.length; r++) {
        if (ends(rules[r][0])) { apply(rules[r][1]); return; }
      }
    }
    if (k <= 1) return word;
    // Step 1: plurals, -ed and -ing, then a final y.
    if (b[k] === "s") {
      if (ends("sses")) k -= 2;
      else if (ends("ies")) setTo("i");
      else if (b[k - 1] !== "s") k -= 1;
    }
    if (ends("eed")) {
      if (measure() > 0) k -= 1;
    } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
      k = j;
      if (ends("at")) setTo("ate");
      else if (ends("bl")) setTo("ble");
      else if (ends("iz")) setTo("ize");
      else if (doubled(k)) {
        k -= 1;
        if ("lsz".indexOf(b[k]) !== -1) k += 1;
      } else {
        j = k;
        if (measure() === 1 && shortSyllable(k)) setTo("e");
      }
    }
    if (ends("y") && vowelInStem()) b = b.slice(0, k) + "i" + b.slice(k + 1);
    // Step 2: double suffixes to single ones, by the letter before the last.
    if (k >= 1) firstOf(STEP2[b[k - 1]] || [], replaceIfMeasured);
    // Step 3: -ic-, -full, -ness and the like, by the last letter.
    firstOf(STEP3[b[k]] || [], replaceIfMeasured);
    // Step 4: -ant, -ence and the like, where the stem is long enough.
    var endings = k >= 1 ? STEP4[b[k - 1]] || [] : [];
    for (var e = 0; e < endings.length; e++) {
      if (!ends(endings[e])) continue;
      if (endings[e] === "ion" && b[j] !== "s" && b[j] !== "t") break;  // -ion goes only after s or t
      if (measure() > 1) k = j;
      break;
    }
    // Step 5: a final -e, and -ll, where the stem is long enough.
    j = k;
    if (b[k] === "e") {
      var m = measure();
      if (m > 1 || (m === 1 && !shortSyllable(k - 1))) k -= 1;
    }
    if (b[k] === "l" && doubled(k) && measure() > 1) k -= 1;
    return b.slice(0, k + 1);
  }
  // One pipeline function for every search made on this page (lunr keeps functions by label).
  var stemmer = lunr.Pipeline.registeredFunctions.dailypapersStemmer;
  if (!stemmer) {
    stemmer = function (token) { return token.update(function (word) { return stem(word); }); };
    lunr.Pipeline.registerFunction(stemmer, "dailypapersStemmer");
  }
  var searchPipeline = new lunr.Pipeline();
  searchPipeline.add(stemmer);

  function loadOnce(path) {
    if (!fileCache[path]) {
      fileCache[path] = Promise.resolve(path).then(load).catch(function (error) {
        delete fileCache[path];
        throw error;
      });
    }
    return fileCache[path];
  }

  function manifest() {
    if (!manifestPromise) {
      manifestPromise = loadOnce("search/manifest.json");
      manifestPromise.catch(function () { manifestPromise = null; });  // a failed load is tried again
    }
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
    // A name too long for a file is shortened with a hash, which the manifest gives.
    if (m.long_names && Object.prototype.hasOwnProperty.call(m.long_names, start)) {
      return m.terms_dir + m.long_names[start] + ".json";
    }
    return m.terms_dir + spelt(start) + ".json";
  }

  // A prefix spelt as a file name, as the build spells it: each character outside [a-z0-9] in hex.
  function spelt(text) {
    var name = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      var ch = String.fromCodePoint(code);
      if (code > 0xffff) i++;
      name += /^[a-z0-9]$/i.test(ch) ? ch : "_" + code.toString(16) + "_";
    }
    return name;
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

  // A word the index leaves out, being in nearly every paper ("the", "of"), or no word at all.
  function isCommon(clause) {
    if (!clause.usePipeline) return false;  // a wildcard is never a stop word
    // Trimmed as lunr.py trims (Unicode letters are letters: lunr.js's trimmer would empty "中文").
    var trimmed = clause.term.replace(/^[^\p{L}\p{N}_]+/u, "").replace(/[^\p{L}\p{N}_]+$/u, "");
    return !trimmed || lunr.stopWordFilter(new lunr.Token(trimmed)) === undefined;
  }

  // A clause written back as lunr's query syntax, which parses into the same clause.
  function clauseText(query, clause) {
    var presence = { 2: "+", 3: "-" }[clause.presence] || "";
    var fields = clause.fields.length === query.allFields.length ? "" : clause.fields.join(":") + ":";
    return presence + fields + clause.term + (clause.editDistance ? "~" + clause.editDistance : "") +
      (clause.boost !== 1 ? "^" + clause.boost : "");
  }

  // What a reader means by several words: the papers that have them all. Each plain word becomes
  // required (lunr's +), except a word too common to be indexed, which would then match nothing.
  // Resolves to {query: what to search, any: the words as typed when they were rewritten, common}.
  function readerQuery(m, text, phrased) {
    var query = parseQuery(m, text).query;
    var plain = [], common = [];
    query.clauses.forEach(function (clause) {
      if (clause.presence !== lunr.Query.presence.OPTIONAL) return;
      (isCommon(clause) ? common : plain).push(clause);
    });
    var words = common.map(function (clause) { return clause.term; }).filter(Boolean);
    if (common.length && common.length === query.clauses.length) {
      throw new SearchError((words.length ? words.map(function (w) { return "“" + w + "”"; }).join(" and ") +
        (words.length === 1 ? " is" : " are") + " too common to search: nearly every paper has " +
        (words.length === 1 ? "it" : "them") + ". " : "") + "Add a word that says what you are looking for.");
    }
    if (plain.length < (phrased ? 1 : 2)) return { query: text, any: null, common: words };
    plain.forEach(function (clause) { clause.presence = lunr.Query.presence.REQUIRED; });
    var rewritten = query.clauses.filter(function (clause) { return common.indexOf(clause) === -1; })
      .map(function (clause) { return clauseText(query, clause); }).join(" ");
    return { query: rewritten, any: text, common: words };
  }

  // The shard a term would be in, loaded (once), or null before the first shard.
  function shardOf(m, term) {
    var place = shardIndex(m.shards, term);
    return place < 0 ? Promise.resolve(null) : loadOnce(shardFile(m, m.shards[place]));
  }

  function papersWithTerm(value) {
    if (!value) return 0;
    if (value.tiers) return value["with"];
    return Object.keys(value).reduce(function (n, field) { return n + value[field].length / 3; }, 0);
  }

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  // Every word one edit from `word` (a letter left out, swapped with the next, changed or added)
  // after its first two letters, which a typo seldom touches and which name its words file.
  function oneEditAway(word) {
    var words = [];
    for (var i = 2; i <= word.length; i++) {
      var head = word.slice(0, i), tail = word.slice(i);
      if (tail) words.push(head + tail.slice(1));
      if (tail.length > 1) words.push(head + tail[1] + tail[0] + tail.slice(2));
      for (var c = 0; c < LETTERS.length; c++) {
        if (tail) words.push(head + LETTERS[c] + tail.slice(1));
        words.push(head + LETTERS[c] + tail);
      }
    }
    return words;
  }

  // Every word two edits from `word` whose first three letters begin a term of the vocabulary
  // (stemming changes only a word's end, so no other can stem to one of its terms).
  function twoEditsAway(word, vocabulary) {
    var starts = new Set(vocabulary.map(function (term) { return term.slice(0, 3); })), found = new Set();
    oneEditAway(word).forEach(function (once) {
      if (!starts.has(once.slice(0, 3))) return;
      oneEditAway(once).forEach(function (twice) { if (starts.has(twice.slice(0, 3))) found.add(twice); });
    });
    return Array.from(found);
  }

  var TWO_EDITS_LENGTH = 8;  // a word this long may be corrected two letters off, when one finds nothing

  // A word in no paper, corrected: of the words at most `distance` edits away (after its first two
  // letters) whose term is in the index, the fewest edits away and then the one the most papers
  // have. Resolves to that word, or null.
  var corrections = Object.create(null);  // by distance and word: a reader types the same word key by key
  function correction(m, word, distance) {
    var known = corrections[distance + " " + word];
    if (!known) known = corrections[distance + " " + word] = findCorrection(m, word, distance);
    return known;
  }

  function findCorrection(m, word, distance) {
    if (!m.words || m.words.indexOf(word.slice(0, 2)) === -1) return Promise.resolve(null);  // no such words
    return loadOnce(m.words_dir + spelt(word.slice(0, 2)) + ".json")
      .then(function (vocabulary) {
        var known = new Set(vocabulary), wordOf = Object.create(null);
        function consider(candidate) {
          var term = stem(candidate);
          if (known.has(term) && !(term in wordOf)) wordOf[term] = candidate;
        }
        oneEditAway(word).forEach(consider);
        if (!Object.keys(wordOf).length && distance >= 2) twoEditsAway(word, vocabulary).forEach(consider);
        var terms = Object.keys(wordOf);
        return Promise.all(terms.map(function (term) {
          return shardOf(m, term).then(function (shard) { return papersWithTerm(shard && shard[term]); });
        })).then(function (counts) {
          var best = null;
          terms.forEach(function (term, i) {
            if (best === null || counts[i] > counts[best] || (counts[i] === counts[best] && term < terms[best])) best = i;
          });
          return best === null ? null : wordOf[terms[best]];
        });
      });
  }

  // The query with each word that is in no paper replaced by its correction, when it has one: a
  // plain word one edit off (two for a long word), a word~N as many edits off as it says (lunr
  // would compare its stem, which a typo changes: "genralization" stems to "genral").
  // Resolves to {text, corrected: [[typed, corrected], ...]}.
  function correctTypos(m, text) {
    var query = parseQuery(m, text).query;
    var length = m.typo_min_length || Infinity;
    var typed = query.clauses.filter(function (clause) {
      return m.words_dir && clause.usePipeline && clause.presence !== lunr.Query.presence.PROHIBITED &&
        /^[a-z]+$/.test(clause.term) && (clause.editDistance > 0 || clause.term.length >= length);
    });
    return Promise.all(typed.map(function (clause) {
      var term = stem(clause.term);
      return shardOf(m, term).then(function (shard) {
        if (shard && Object.prototype.hasOwnProperty.call(shard, term)) return null;  // lunr finds it as typed
        var distance = clause.editDistance || (clause.term.length >= TWO_EDITS_LENGTH ? 2 : 1);
        return correction(m, clause.term, distance);
      });
    })).then(function (words) {
      var corrected = [];
      typed.forEach(function (clause, i) {
        if (!words[i]) return;
        corrected.push([clause.term + (clause.editDistance ? "~" + clause.editDistance : ""), words[i]]);
        clause.term = words[i];
        clause.editDistance = 0;
      });
      if (!corrected.length) return { text: text, corrected: corrected };
      return { text: query.clauses.map(function (clause) { return clauseText(query, clause); }).join(" "),
               corrected: corrected };
    });
  }

  var PHRASE_FIELDS = ["title", "authors", "organization", "abstract"];  // the fields a phrase is looked for in

  // Quoted phrases taken out of the text, each with its sign and field (+"a b", -"a b",
  // title:"a b"); the words of one that is not excluded are put back as plain words, in its field,
  // with nothing lunr would read as syntax ("LLaMA: open models" is three words, not a field).
  function quotedPhrases(text) {
    var phrases = [];
    var rest = text.replace(/(^|\s)([+-]?)(?:([A-Za-z]+):)?"([^"]*)"/g, function (whole, space, sign, field, phrase) {
      var words = plainWords(phrase);
      var inField = field && PHRASE_FIELDS.indexOf(field.toLowerCase()) !== -1 ? field.toLowerCase() : null;
      if (words.length > 1) phrases.push({ words: words.map(stem), field: inField, excluded: sign === "-" });
      if (sign === "-") return space;  // an excluded phrase excludes only papers with all of it, in order
      var prefix = sign + (inField ? inField + ":" : "");
      return space + words.map(function (word) { return prefix + word; }).join(" ") + " ";
    }).replace(/"/g, " ");
    return { text: rest, phrases: phrases };
  }

  // Text split as the index split it (lowercased, on spaces and hyphens, trimmed of punctuation
  // and of what lunr reads as syntax), keeping the common words: a phrase's words must follow each other.
  function plainWords(text) {
    return text.toLowerCase().split(/[\s\-]+/).map(function (word) {
      return word.replace(/[:^~*+]/g, "").replace(/^[^\p{L}\p{N}_]+/u, "").replace(/[^\p{L}\p{N}_]+$/u, "");
    }).filter(Boolean);
  }

  var stems = new Map();  // an abstract's words recur: each is stemmed once
  function stemmed(word) {
    var known = stems.get(word);
    if (known === undefined) stems.set(word, known = stem(word));
    return known;
  }

  function wordsOf(text) {
    return plainWords(text).map(stemmed);
  }

  function holds(words, phrase) {
    outer: for (var i = 0; i + phrase.length <= words.length; i++) {
      for (var j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
      return true;
    }
    return false;
  }

  // Whether a paper holds every wanted phrase and no excluded one, word after word, in the
  // phrase's field or any of PHRASE_FIELDS. A paper that cannot be read counts as not holding them.
  function hasPhrases(ref, sameDay, phrases) {
    return paperText(ref, sameDay).then(function (paper) {
      if (!paper) return false;
      var words = Object.create(null);
      PHRASE_FIELDS.forEach(function (field) { words[field] = wordsOf(paper[field]); });
      return phrases.every(function (phrase) {
        var found = (phrase.field ? [phrase.field] : PHRASE_FIELDS).some(function (field) {
          return holds(words[field], phrase.words);
        });
        return found !== phrase.excluded;
      });
    }).catch(function () { return false; });
  }

  var PHRASE_CANDIDATES = 400;  // papers with a phrase's words that a query checks for the phrase, at most
  // ...and for a page of results, twice its length: each costs a download (its page, or its day's
  // file), and the papers of real text that have the words in order lead lunr's ranking.
  var PHRASE_DEPTH = 2;
  var PHRASE_BATCH = 20;  // checked at once, in lunr's order

  // How many of these hits each day has: a day with several is read from one file.
  function hitsByDay(m, results) {
    var counts = Object.create(null);
    results.forEach(function (r) { var day = dayOf(m, r.ref); counts[day] = (counts[day] || 0) + 1; });
    return counts;
  }

  // The best `wanted` papers that hold the phrases, among the query's results in lunr's order,
  // checked a batch at a time: first among the best `wanted` with the words, then, while fewer
  // hold them, among twice as many (PHRASE_DEPTH), up to PHRASE_CANDIDATES. Unless every paper with the
  // words was checked, the count is of those checked (phraseChecked), and `exhausted` says
  // whether more could be.
  function havingPhrases(query, phrases, wanted) {
    return manifest().then(function (m) {
      var kept = [], checked = 0;
      function round(depth) {
        return search(query, depth).then(function (found) {
          var candidates = found.results.slice(0, depth);
          function batch() {
            if (kept.length < wanted && checked < candidates.length) {
              var next = candidates.slice(checked, checked + PHRASE_BATCH), sameDay = hitsByDay(m, next);
              checked += next.length;
              return Promise.all(next.map(function (r) { return hasPhrases(r.ref, sameDay[dayOf(m, r.ref)], phrases); }))
                .then(function (holding) {
                  next.forEach(function (r, i) { if (holding[i]) kept.push(r); });
                  return batch();
                });
            }
            var complete = found.complete && checked >= found.results.length;
            var deeper = Math.min(depth * 2, wanted * PHRASE_DEPTH, PHRASE_CANDIDATES);
            if (kept.length < wanted && !complete && deeper > depth) return round(deeper);
            return { results: kept, total: kept.length, complete: complete, files: found.files,
                     phraseChecked: complete ? null : checked, exhausted: complete || deeper <= depth,
                     withoutOrder: found };
          }
          return batch();
        });
      }
      return round(wanted);
    });
  }

  // Search as a reader means the words: every word required, or, when no paper has them all, any
  // of them; a quoted phrase's words in that order. The answer says what was searched (asked),
  // and whether it fell back to any word (anyWord) or to the phrase's words in any order (anyOrder).
  function find(text, wanted) {
    wanted = wanted || 20;
    return manifest().then(function (m) {
      var quoted = quotedPhrases(text);
      if (!quoted.text.trim() && quoted.phrases.length) {
        throw new SearchError("A phrase with a minus only says what to leave out; add words to find.");
      }
      return correctTypos(m, quoted.text).then(function (typos) {
        // A word corrected in the query is corrected in its phrase too.
        typos.corrected.forEach(function (pair) {
          var typed = stem(pair[0].replace(/~\d+$/, "")), meant = stem(pair[1]);
          quoted.phrases.forEach(function (phrase) {
            phrase.words = phrase.words.map(function (word) { return word === typed ? meant : word; });
          });
        });
        var reader = readerQuery(m, typos.text, quoted.phrases.length > 0);
        function said(found, asked) {
          found.asked = asked;
          found.common = reader.common;
          found.corrected = typos.corrected;
          found.phrases = quoted.phrases.length;
          return found;
        }
        if (quoted.phrases.length) {
          return havingPhrases(reader.query, quoted.phrases, wanted).then(function (found) {
            // Papers with the words in any order, only when every one was checked and none has them in order.
            if (found.results.length || found.phraseChecked || !found.withoutOrder.results.length ||
                quoted.phrases.every(function (phrase) { return phrase.excluded; })) {
              return said(found, reader.query);
            }
            var words = found.withoutOrder;  // no paper has the phrase: those with its words, saying so
            words.anyOrder = true;
            return said(words, reader.query);
          });
        }
        return search(reader.query, wanted).then(function (found) {
          if (found.results.length || !reader.any) return said(found, reader.query);
          return search(reader.any, wanted).then(function (any) {
            any.anyWord = true;
            return said(any, reader.any);
          });
        });
      });
    });
  }

  // Python's round(x, 3): the decimal nearest the exact value, as lunr.py stores scores.
  function round3(x) {
    return parseFloat(x.toFixed(3));
  }

  function idf(documentsWithTerm, documentCount) {
    var x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
    return Math.log(1 + Math.abs(x));
  }

  // What one (term, field, document) entry adds to a document's field vector, as lunr's builder
  // computes it: BM25 with lunr's constants, times the field's boost, rounded.
  function entryScore(m, termIdf, field, boost, tf, length) {
    var score = termIdf * ((m.k1 + 1) * tf) / (m.k1 * (1 - m.b + m.b * (length / m.average_field_length[field])) + tf);
    score *= boost;
    return round3(score);
  }

  // The most an entry ranked at most as (tf, length) could score. An entry's BM25 part is
  // 1 / (1 + u + v * rankAverage / average) with u = c / tf and v = d * length / (rankAverage * tf);
  // ranked at most as the bound means u + v >= k. With the real average larger, v can take all of k
  // (u tends to 0 as tf grows); smaller, u takes what it can (at most c, when tf is 1). Lunr
  // rounds scores to 3 decimals, which adds at most 0.0005.
  function restScore(m, termIdf, field, boost, tf, length) {
    var c = m.k1 * (1 - m.b), d = m.k1 * m.b;
    var rankAverage = m.rank_average_field_length[field], ratio = rankAverage / m.average_field_length[field];
    var k = (c + d * length / rankAverage) / tf;
    var least = ratio < 1 ? ratio * k : (k <= c ? k : c + ratio * (k - c));
    return termIdf * (m.k1 + 1) * boost / (1 + least) + 0.0005;
  }

  // Call fn(document, tf, field length) for each entry of a delta-encoded posting.
  function forEachEntry(numbers, fn) {
    var doc = 0;
    for (var i = 0; i < numbers.length; i += 3) {
      doc += numbers[i];
      fn(doc, numbers[i + 1], numbers[i + 2]);
    }
  }

  function encodeEntries(entries) {
    entries.sort(function (a, b) { return a[0] - b[0]; });
    var numbers = [], previous = 0;
    entries.forEach(function (e) { numbers.push(e[0] - previous, e[1], e[2]); previous = e[0]; });
    return numbers;
  }

  function boostsOf(m) {
    var boosts = Object.create(null);
    m.fields.forEach(function (f) { boosts[f[0]] = f[1]; });
    return boosts;
  }

  // Build a lunr index holding the given terms, with the scores lunr's builder gives them.
  // postings: term -> {field: [delta, tf, length, ...]}; withTerm: term -> lunr's idf count.
  function assemble(m, postings, withTerm) {
    var terms = Object.keys(postings).sort();
    var boosts = boostsOf(m);
    var vectors = Object.create(null);
    var invertedIndex = terms.map(function (term, termIndex) {
      var fields = postings[term];
      var posting = { _index: termIndex };
      m.fields.forEach(function (f) { posting[f[0]] = {}; });
      var termIdf = idf(withTerm[term], m.document_count);
      Object.keys(fields).forEach(function (field) {
        forEachEntry(fields[field], function (doc, tf, length) {
          var ref = String(doc), key = field + "/" + ref;
          posting[field][ref] = {};
          (vectors[key] = vectors[key] || []).push(termIndex, entryScore(m, termIdf, field, boosts[field], tf, length));
        });
      });
      return [term, posting];
    });
    return lunr.Index.load({
      version: lunr.version,
      fields: m.fields.map(function (f) { return f[0]; }),
      fieldVectors: Object.keys(vectors).map(function (key) { return [key, vectors[key]]; }),
      invertedIndex: invertedIndex,
      pipeline: ["dailypapersStemmer"]
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

  // What the query asks of each (term, field) list, found the way lunr.Index#query finds it:
  // its weight in the score (the clause boost over the length of the field's query vector), which
  // lists a required clause may be met in, and which lists exclude a paper.
  function queryPlan(index, query) {
    var lists = [], ids = Object.create(null), vectors = Object.create(null), required = [];
    function listId(term, field) {
      var key = term + "/" + field;
      if (!(key in ids)) {
        ids[key] = lists.length;
        lists.push({ term: term, field: field, weight: 0, prohibited: false });
      }
      return ids[key];
    }
    query.clauses.forEach(function (clause) {
      var met = [];
      var terms = clause.usePipeline ? index.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        var clauseTerm = { term: term };  // a copy: lunr must still see the clause as the reader typed it
        if ("editDistance" in clause) clauseTerm.editDistance = clause.editDistance;
        var expanded = index.tokenSet.intersect(lunr.TokenSet.fromClause(clauseTerm)).toArray();
        expanded.forEach(function (t) {
          clause.fields.forEach(function (field) {
            var id = listId(t, field);
            if (clause.presence === lunr.Query.presence.PROHIBITED) {
              lists[id].prohibited = true;
              return;
            }
            met.push(id);
            vectors[field] = vectors[field] || Object.create(null);
            vectors[field][t] = (vectors[field][t] || 0) + clause.boost;
          });
        });
      });
      if (clause.presence === lunr.Query.presence.REQUIRED) required.push(met);
    });
    Object.keys(vectors).forEach(function (field) {
      var length = Math.sqrt(Object.keys(vectors[field]).reduce(function (sum, t) {
        return sum + vectors[field][t] * vectors[field][t]; }, 0));
      Object.keys(vectors[field]).forEach(function (t) {
        lists[ids[t + "/" + field]].weight = vectors[field][t] / length;
      });
    });
    return { lists: lists, required: required };
  }

  var UNKNOWN = 0, PRESENT = 1, ABSENT = 2;
  var LOOKUPS_AT_ONCE = 16;  // papers whose own files a query fetches in one step, at most
  var LOOKUP_COST = 100;  // what one paper's entry costs to fetch, in tier entries (gzipped bytes)
  // A lookup fetches the file of a few papers' entries (papers_per_file), so costs that many;
  // their terms are written by id, about half the bytes of an entry by name.
  function lookupCost(m) { return LOOKUP_COST * Math.max(1, (m.papers_per_file || 1) / 2); }

  // Search for the best `wanted` papers. A big term's lists (one per field) come in tiers, best
  // entries first; a paper met in some lists but not others can be looked up in its own file.
  // A query loads tiers and looks papers up until no paper could displace its top `wanted`: the
  // answer is then the one an unsplit index gives. Resolves to {results, total, complete, files};
  // total is exact when complete, and otherwise a lower bound.
  function search(queryString, wanted) {
    wanted = wanted || 20;
    return manifest().then(function (m) {
      var parsed = parseQuery(m, queryString);
      return Promise.all(parsed.files.map(loadOnce)).then(function (shards) {
        var postings = Object.create(null), withTerm = Object.create(null), tiersOf = Object.create(null);
        var files = ["search/manifest.json"].concat(parsed.files);
        shards.forEach(function (shard) {
          Object.keys(shard).forEach(function (term) {
            var value = shard[term];
            if (value.tiers) {
              tiersOf[term] = value.tiers;
              withTerm[term] = value["with"];
              postings[term] = {};
            } else {
              postings[term] = value;
              withTerm[term] = Object.keys(value).reduce(function (n, f) { return n + value[f].length / 3; }, 0);
            }
          });
        });
        var plan = queryPlan(assemble(m, termsOnly(postings), withTerm), parsed.query);
        var bigLists = plan.lists.filter(function (l) { return tiersOf[l.term] && tiersOf[l.term][l.field]; });
        if (!bigLists.length) {
          // Every list the query needs is in the shards: lunr.js answers over all of it.
          var results = runLunr(assemble(m, postings, withTerm), queryString);
          return { results: results, total: results.length, complete: true, files: files };
        }
        return new TopSearch(m, plan, postings, withTerm, tiersOf, files, wanted).run(queryString);
      });
    });
  }

  // The same terms with no postings: lunr still knows every term (wildcards expand alike).
  function termsOnly(postings) {
    var terms = Object.create(null);
    Object.keys(postings).forEach(function (term) { terms[term] = {}; });
    return terms;
  }

  function runLunr(index, queryString) {
    try {
      return index.search(queryString).sort(byScore);
    } catch (error) {
      if (error instanceof lunr.QueryParseError) throw new SearchError(error.message);
      throw error;
    }
  }

  // The state of one query over big terms: what is known of each paper met so far, list by list.
  function TopSearch(m, plan, postings, withTerm, tiersOf, files, wanted) {
    var self = this, boosts = boostsOf(m);
    this.m = m;
    this.plan = plan;
    this.postings = postings;
    this.withTerm = withTerm;
    this.files = files;
    this.wanted = wanted;
    this.papers = new Map();  // document number -> {state, tf, length, exact}
    this.lists = plan.lists.map(function (l) {
      var tiers = (tiersOf[l.term] || {})[l.field] || 0;
      return { term: l.term, field: l.field, weight: l.weight, prohibited: l.prohibited, tiers: tiers, loaded: 0,
               next: null, termIdf: idf(withTerm[l.term], m.document_count), boost: boosts[l.field] };
    });
    this.lists.forEach(function (list, id) {
      var numbers = list.tiers ? null : (postings[list.term] || {})[list.field];
      if (numbers) forEachEntry(numbers, function (doc, tf, length) { self.meet(doc, id, tf, length); });
    });
  }

  TopSearch.prototype.paper = function (doc) {
    var paper = this.papers.get(doc);
    if (!paper) {
      var n = this.lists.length;
      paper = { doc: doc, state: new Uint8Array(n), tf: new Uint32Array(n), length: new Uint32Array(n),
                score: new Float64Array(n), exact: false };
      this.papers.set(doc, paper);
    }
    return paper;
  };

  TopSearch.prototype.meet = function (doc, id, tf, length) {
    var paper = this.paper(doc);
    paper.state[id] = PRESENT;
    paper.tf[id] = tf;
    paper.length[id] = length;
    var list = this.lists[id];  // what the entry adds to the paper's field vector, worked out once
    paper.score[id] = entryScore(this.m, list.termIdf, list.field, list.boost, tf, length);
  };

  TopSearch.prototype.done = function (id) {
    return this.lists[id].loaded >= this.lists[id].tiers;
  };

  // The most an entry not loaded yet could add to a paper's score, from list `id`. A list is
  // ranked by BM25's term-frequency part computed with the field's rank average (the manifest's
  // average to two digits), so every later entry ranks at most as the next tier's first entry,
  // whose counts the tier before gives as [tf, field length, document]. BM25 with the real average
  // can still score a later entry higher when the two averages differ; restScore bounds that.
  TopSearch.prototype.rest = function (id) {
    var list = this.lists[id];
    if (this.done(id)) return 0;
    return list.weight * restScore(this.m, list.termIdf, list.field, list.boost, list.next[0], list.next[1]);
  };

  // Whether the paper meets every required clause and no prohibited one: true, false, or null
  // while that is not known yet.
  TopSearch.prototype.eligible = function (paper) {
    var self = this, unsure = false;
    for (var id = 0; id < this.lists.length; id++) {
      if (!this.lists[id].prohibited) continue;
      if (paper.state[id] === PRESENT) return false;
      if (paper.state[id] === UNKNOWN && !this.done(id)) unsure = true;
    }
    for (var c = 0; c < this.plan.required.length; c++) {
      var met = this.plan.required[c];
      if (met.some(function (id) { return paper.state[id] === PRESENT; })) continue;
      if (!met.some(function (id) { return paper.state[id] === UNKNOWN && !self.done(id); })) return false;
      unsure = true;
    }
    return unsure ? null : true;
  };

  // The paper's score counting what is known, and the most it could reach.
  TopSearch.prototype.bounds = function (paper) {
    var low = 0, high = 0;
    for (var id = 0; id < this.lists.length; id++) {
      var weight = this.lists[id].weight;
      if (!weight) continue;
      if (paper.state[id] === PRESENT) {
        var score = weight * paper.score[id];
        low += score;
        high += score;
      } else if (paper.state[id] === UNKNOWN) {
        high += this.rest(id);
      }
    }
    return { low: low, high: high };
  };

  TopSearch.prototype.tierFile = function (id) {
    var list = this.lists[id], m = this.m;
    return m.big_dir + shardFile(m, list.term).slice(m.terms_dir.length, -5) + "." + list.field + "." + list.loaded + ".json";
  };

  TopSearch.prototype.listOf = function (term, field) {
    for (var id = 0; id < this.lists.length; id++) {
      if (this.lists[id].term === term && this.lists[id].field === field) return id;
    }
    return -1;
  };

  // Load a list's next tier. Its papers become known in the term's other fields too.
  TopSearch.prototype.loadTier = function (id) {
    var self = this, list = this.lists[id], path = this.tierFile(id);
    this.files.push(path);
    return loadOnce(path).then(function (tier) {
      var docs = [], doc = 0;
      tier.documents.forEach(function (delta, i) {
        doc += delta;
        docs.push(doc);
        self.meet(doc, id, tier.tf[i], tier.length[i]);
      });
      self.m.fields.forEach(function (f) {
        var other = self.listOf(list.term, f[0]), also = tier.also[f[0]];
        if (other === id || other === -1) return;
        docs.forEach(function (doc, i) {
          if (also && also.tf[i]) {
            self.meet(doc, other, also.tf[i], also.length[i]);
          } else {
            var paper = self.paper(doc);
            if (paper.state[other] === UNKNOWN) paper.state[other] = ABSENT;
          }
        });
      });
      list.next = tier.next;
      list.loaded += 1;
      if (list.loaded >= list.tiers) {
        self.papers.forEach(function (paper) { if (paper.state[id] === UNKNOWN) paper.state[id] = ABSENT; });
      }
    });
  };

  // A big term's id is its place in the manifest's big_terms.
  function bigTermIds(m) {
    if (!m.bigTermIds) {
      m.bigTermIds = Object.create(null);
      m.big_terms.forEach(function (term, place) { m.bigTermIds[term] = place; });
    }
    return m.bigTermIds;
  }

  // A paper's counts of the big terms, [id difference, field, tf, ...], as [field, tf, ...] by id.
  function countsById(flat) {
    var byId = Object.create(null), termId = 0;
    for (var i = 0; i < flat.length; i += 3) {
      termId += flat[i];
      (byId[termId] = byId[termId] || []).push(flat[i + 1], flat[i + 2]);
    }
    return byId;
  }

  // Fetch the file of a paper's counts (it holds a few papers'): its counts of every big term settle
  // every list it was unknown in.
  TopSearch.prototype.lookUp = function (paper) {
    var self = this, m = this.m, path = m.papers_dir + Math.floor(paper.doc / m.papers_per_file) + ".json";
    var fieldNumber = Object.create(null);
    m.fields.forEach(function (f, i) { fieldNumber[f[0]] = i; });
    this.files.push(path);
    return loadOnce(path).then(function (files) {
      var file = files[String(paper.doc)], byId = countsById(file.terms), ids = bigTermIds(m);
      self.lists.forEach(function (list, id) {
        if (paper.state[id] !== UNKNOWN) return;
        var counts = byId[ids[list.term]] || [], number = fieldNumber[list.field];
        paper.state[id] = ABSENT;
        for (var i = 0; i < counts.length; i += 2) {
          if (counts[i] === number) self.meet(paper.doc, id, counts[i + 1], file.lengths[number]);
        }
      });
      paper.exact = true;
    });
  };

  TopSearch.prototype.isExact = function (paper) {
    if (paper.exact) return true;
    for (var id = 0; id < this.lists.length; id++) {
      if (paper.state[id] === UNKNOWN && !this.done(id)) return false;
    }
    paper.exact = true;
    return true;
  };

  // Where the search stands: the best papers known exactly, the papers that might still beat
  // the last of them, and whether a paper met in no list yet could.
  TopSearch.prototype.standing = function () {
    var self = this, best = [], open = [], matches = 0;
    this.papers.forEach(function (paper) {
      var eligible = self.eligible(paper);
      if (eligible === false) return;
      var bounds = self.bounds(paper);
      if (eligible && self.isExact(paper)) {
        best.push({ ref: String(paper.doc), score: bounds.low, paper: paper });
      } else {
        open.push({ ref: String(paper.doc), high: bounds.high, paper: paper });
      }
      if (eligible && self.lists.some(function (l, id) { return l.weight && paper.state[id] === PRESENT; })) matches += 1;
    });
    best.sort(byScore);
    var last = best.length >= this.wanted ? best[this.wanted - 1] : null;
    // A paper met in no list so far scores at most the sum of every list's rest (which is above
    // what any entry reaches, so a tie at that sum needs no tie-break).
    var unseen = 0, openLists = [];
    this.lists.forEach(function (list, id) {
      if (!list.weight || self.done(id)) return;
      openLists.push(id);
      unseen += self.rest(id);
    });
    var unseenMayQualify = openLists.length > 0 && this.plan.required.every(function (met) {
      return met.some(function (id) { return !self.done(id); });
    });
    // Whether a paper scoring at most `high` ranks below the last of the best: by score, or on a
    // tie (to nine decimals, as byScore compares) by being older.
    function below(high, ref) {
      return high < last.score - 1e-7 || (Math.round(high * 1e9) <= Math.round(last.score * 1e9) && ref < Number(last.ref));
    }
    var unseenBeaten = !unseenMayQualify || (last !== null && unseen < last.score - 1e-7);
    var contenders = last === null ? open : open.filter(function (o) { return !below(o.high, Number(o.ref)); });
    contenders.sort(function (a, b) { return b.high - a.high; });
    return { best: best, last: last, contenders: contenders, unseenBeaten: unseenBeaten, openLists: openLists,
             matches: matches };
  };

  // The open list whose next tier would settle most: the one that leaves the most unknown, for
  // the papers still in contention if given, otherwise for a paper met in no list yet.
  TopSearch.prototype.deepest = function (openLists, pending) {
    var self = this, best = -1, bestGain = 0;
    openLists.forEach(function (id) {
      var gain = self.rest(id);
      if (pending) gain *= pending.filter(function (o) { return o.paper.state[id] === UNKNOWN; }).length;
      if (gain > bestGain) { best = id; bestGain = gain; }
    });
    return best === -1 && !pending ? openLists[0] : best;
  };

  // Entries in a list's next tier: the first holds first_tier, each later one twice as many.
  TopSearch.prototype.nextTierSize = function (id) {
    return this.m.first_tier * Math.pow(2, this.lists[id].loaded);
  };

  TopSearch.prototype.run = function (queryString) {
    var self = this;
    var first = this.lists.map(function (list, id) { return id; }).filter(function (id) {
      return self.lists[id].weight && !self.done(id);
    });
    // Start with the first tier of each list that scores, and any tier an earlier query fetched.
    function start(id) {
      return self.loadTier(id).then(function () {
        if (!self.done(id) && fileCache[self.tierFile(id)]) return start(id);
      });
    }
    function step() {
      var now = self.standing();
      var pending = now.contenders.filter(function (o) { return !o.paper.exact; });
      if (now.unseenBeaten && !pending.length) return self.finish(queryString, now);
      if (now.last === null && pending.length) {
        // Too few papers known exactly yet: look up the most promising ones.
        var need = self.wanted - now.best.length + 5;
        return Promise.all(pending.slice(0, Math.min(need, LOOKUPS_AT_ONCE)).map(function (o) {
          return self.lookUp(o.paper); })).then(step);
      }
      if (!now.unseenBeaten) return self.loadTier(self.deepest(now.openLists)).then(step);
      // Settle the papers still in contention: look them up one by one (each one settled can only
      // raise the bar for the rest), unless a tier would cost less than looking them all up.
      if (now.openLists.length) {
        var id = self.deepest(now.openLists, pending);
        if (id !== -1 && self.nextTierSize(id) < pending.length * lookupCost(self.m)) return self.loadTier(id).then(step);
      }
      return Promise.all(pending.slice(0, LOOKUPS_AT_ONCE).map(function (o) {
        return self.lookUp(o.paper); })).then(step);
    }
    return Promise.all(first.map(start)).then(step);
  };

  // lunr.js scores the chosen papers from their entries, as an unsplit index would.
  TopSearch.prototype.finish = function (queryString, now) {
    var self = this;
    var everything = this.lists.every(function (l, id) { return self.done(id); });
    var chosen = everything ? now.best : now.best.slice(0, this.wanted);
    var entries = termsOnly(this.postings);
    chosen.forEach(function (hit) {
      self.lists.forEach(function (list, id) {
        if (hit.paper.state[id] !== PRESENT) return;
        var fields = entries[list.term];
        (fields[list.field] = fields[list.field] || []).push([hit.paper.doc, hit.paper.tf[id], hit.paper.length[id]]);
      });
    });
    Object.keys(entries).forEach(function (term) {
      Object.keys(entries[term]).forEach(function (field) { entries[term][field] = encodeEntries(entries[term][field]); });
    });
    var results = runLunr(assemble(this.m, entries, this.withTerm), queryString);
    return { results: results, total: everything ? results.length : Math.max(now.matches, results.length),
             complete: everything, files: this.files };
  };

  // A record's abstract as its page reads once its markup is gone: a link's text without its
  // address (math stays as its TeX, as a page reader gives it).
  function asShown(abstract) {
    return abstract.replace(/\[([^\]]*)\]\([^)\s]*\)/g, "$1");
  }

  // A paper's page weighs about as much, gzipped, as three papers of its day's API file.
  var PAGE_IN_DAY_PAPERS = 3;
  var pages = Object.create(null);

  // A hit's title, authors, organization and abstract: from its day's API file when that costs
  // less than the pages of the day's `sameDay` hits (one file for hits that share a day), otherwise
  // from its own page. Resolves to null for a paper neither has.
  function paperText(ref, sameDay) {
    return manifest().then(function (m) {
      return loadOnce(m.days_dir + dayOf(m, ref) + ".json").then(function (file) {
        var entry = file.papers[Number(ref) % m.slots_per_day], path = entry[0];
        if (loadPaperPage && (sameDay || 1) * PAGE_IN_DAY_PAPERS < file.papers.length) {
          if (!pages[path]) {
            pages[path] = Promise.resolve(path).then(loadPaperPage);
            pages[path].catch(function () { delete pages[path]; });
          }
          return pages[path].then(function (page) {
            return { title: entry[1], authors: page.authors, organization: page.organization, abstract: page.abstract };
          });
        }
        return loadOnce(file.api).then(function (day) {
          var paper = day.papers.find(function (p) { return p.url.slice(-path.length - 1) === "/" + path; });
          return paper ? { title: paper.title, authors: paper.authors.join(", "), organization: paper.organization || "",
                           abstract: asShown(paper.abstract) } : null;
        });
      });
    });
  }

  // The title, authors, day and addresses of a hit, from the file of its day.
  function details(ref) {
    return manifest().then(function (m) {
      var day = dayOf(m, ref);
      return loadOnce(m.days_dir + day + ".json").then(function (file) {
        var paper = file.papers[Number(ref) % m.slots_per_day];
        return { ref: ref, path: paper[0], title: paper[1], authors: paper[2], day: file.label, dayPath: file.path,
                 dayRecords: file.api, dayPapers: file.papers.length };
      });
    });
  }

  return { search: search, find: find, details: details, paperText: paperText, stem: stem, load: loadOnce,
           SearchError: SearchError };
});
