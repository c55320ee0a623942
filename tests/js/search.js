// Run queries through the site's search code under Node, with the real lunr.js from node_modules.
// Usage: node tests/js/search.js SITE_DIR < queries.json   (prints {query: result} as JSON)
// Queries are read as a reader's (search.find); with RAW_QUERIES set, as lunr syntax only.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
const lunr = require(path.join(root, "node_modules", "lunr"));
const createSearch = require(path.join(root, "layouts", "static", "search-core.js"));

const site = process.argv[2];
const read = (file) => Promise.resolve(JSON.parse(fs.readFileSync(path.join(site, file), "utf8")));
// A paper's page as the browser's DOMParser reads it, for the few elements search asks for.
const entities = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
const textOf = (html) => html.replace(/<[^>]*>/g, "").replace(/&(amp|lt|gt|quot|#39);/g, (_, name) => entities[name]);
const element = (html, pattern) => { const found = pattern.exec(html); return found ? textOf(found[1]) : ""; };
const readPage = (page) => {
  const html = fs.readFileSync(path.join(site, page, "index.html"), "utf8");
  return Promise.resolve({
    authors: element(html, /<p class="paper-authors">([\s\S]*?)<\/p>/),
    organization: element(html, /<dd class="organization">([\s\S]*?)<\/dd>/),
    abstract: element(html.replace(/<math[\s\S]*?<annotation[^>]*>([\s\S]*?)<\/annotation>[\s\S]*?<\/math>/g, "$$$1$$"),
                      /<div class="abstract">([\s\S]*?)<\/div>/),
  });
};

async function main() {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  const answers = {};
  for (const query of queries) {
    const search = createSearch(lunr, read, readPage);  // a fresh cache: count what this query alone loads
    try {
      const found = await (process.env.RAW_QUERIES ? search.search(query) : search.find(query));
      answers[query] = {
        asked: found.asked || query,  // the query as rewritten for the reader, which lunr answered
        anyWord: !!found.anyWord,
        anyOrder: !!found.anyOrder,
        phraseChecked: found.phraseChecked || null,
        corrected: found.corrected || [],
        refs: found.results.map((r) => r.ref),
        scores: found.results.map((r) => r.score),
        files: found.files,
        titles: await Promise.all(found.results.slice(0, 3).map((r) => search.details(r.ref).then((d) => d.title))),
      };
    } catch (error) {
      answers[query] = { error: error.name + ": " + error.message };
    }
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch((error) => { console.error(error); process.exit(1); });
