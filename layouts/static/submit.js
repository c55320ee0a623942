// dailypapers submission: write a paper's record from the form, check it with the rules the
// build applies (those a browser can), and open GitHub's new-file page with it filled in.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) return;
  var rules = JSON.parse(form.getAttribute("data-rules"));
  var whole = function (pattern) { return new RegExp("^(?:" + pattern + ")$"); };
  var NEW_ID = whole(rules.newArxiv), OLD_ID = whole(rules.oldArxiv), TAG = whole(rules.tag), HANDLE = whole(rules.handle);
  form.hidden = false;
  form.elements.day.value = new Date().toISOString().slice(0, 10);  // today, UTC, as `dailypapers new` says

  function value(name) { return (form.elements[name].value || "").trim(); }
  function oneLine(text) { return text.split(/\s+/).filter(Boolean).join(" "); }
  // A JSON string is a YAML double-quoted string: every character is kept as typed.
  function quoted(text) { return JSON.stringify(text); }

  // The arXiv id from what a person pastes: an id, arXiv:ID, or an arxiv.org address of it.
  function arxivId(text) {
    return text.replace(/^arxiv:/i, "").replace(/^(https?:\/\/)?(www\.)?arxiv\.org\/(abs|pdf)\//, "")
      .replace(/\.pdf$/, "").replace(/\/$/, "");
  }

  function isDay(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
    var day = new Date(text + "T00:00:00Z");
    return !isNaN(day) && day.toISOString().slice(0, 10) === text;
  }

  function isWebAddress(text) {
    try {
      var url = new URL(text);
      return (url.protocol === "http:" || url.protocol === "https:") && !!url.hostname && !/\s/.test(text);
    } catch (error) {
      return false;
    }
  }

  // The record and the file it goes in, or the problems that stop it, each as the check says it.
  function record() {
    var problems = [];
    var id = arxivId(value("arxiv")), day = value("day"), title = oneLine(value("title"));
    var authors = value("authors").split("\n").map(oneLine).filter(Boolean);
    var abstract = value("abstract").replace(/\r\n?/g, "\n");
    var tags = value("tags").split(",").map(oneLine).filter(Boolean);
    var handle = value("handle").replace(/^@/, "");
    if (!NEW_ID.test(id) && !OLD_ID.test(id)) problems.push("arXiv id: " + (id ? "“" + id + "” is not an arXiv id such as 2401.12345" : "is required"));
    if (!isDay(day)) problems.push("day: give the day it is featured, a date that exists");
    if (!title) problems.push("title: is required");
    else if (title.length > rules.maxTitle) problems.push("title: is longer than " + rules.maxTitle + " characters");
    if (!authors.length) problems.push("authors: give at least one name, one a line");
    authors.forEach(function (name, i) {
      if (name.length > rules.maxName) problems.push("authors: name " + (i + 1) + " is longer than " + rules.maxName + " characters");
    });
    if (authors.length > rules.maxAuthors) problems.push("authors: at most " + rules.maxAuthors + " names");
    if (!abstract.trim()) problems.push("abstract: is required");
    else if (abstract.length > rules.maxAbstract) problems.push("abstract: is longer than " + rules.maxAbstract + " characters");
    if (tags.length > rules.maxTags) problems.push("tags: at most " + rules.maxTags);
    tags.forEach(function (tag) {
      if (!TAG.test(tag)) problems.push("tags: “" + tag + "” is not a short tag; use letters, digits, spaces, '.', '_', '+' or '-'");
    });
    var links = [];
    rules.linkKinds.forEach(function (kind) {
      var address = value("link-" + kind);
      if (!address) return;
      if (isWebAddress(address)) links.push([kind, address]);
      else problems.push("links: " + kind + ": “" + address + "” is not an http:// or https:// address");
    });
    if (handle && !HANDLE.test(handle)) problems.push("submitted_by: “" + handle + "” is not a GitHub user name");
    if (problems.length) return { problems: problems };
    var lines = ["---", "title: " + quoted(title), "authors:"];
    authors.forEach(function (name) { lines.push("  - " + quoted(name)); });
    lines.push("arxiv: " + quoted(id));
    if (tags.length) {
      lines.push("tags:");
      tags.forEach(function (tag) { lines.push("  - " + quoted(tag)); });
    }
    if (links.length) {
      lines.push("links:");
      links.forEach(function (link) { lines.push("  " + link[0] + ": " + quoted(link[1])); });
    }
    if (handle) lines.push("submitted_by: " + quoted(handle));
    lines.push("---", "", abstract.trim(), "");
    // The file is named by the id without its version; an old-style id's "/" becomes "-".
    var slug = id.replace(/v[1-9]\d*$/, "").replace("/", "-").toLowerCase();
    return { problems: [], path: "content/" + day.split("-").join("/") + "/" + slug + ".md", text: lines.join("\n") };
  }

  var list = document.getElementById("submit-problems"), preview = document.getElementById("submit-record");
  function show() {
    var made = record();
    preview.textContent = made.text || "";
    list.textContent = "";
    return made;
  }
  form.addEventListener("input", show);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var made = show();
    made.problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = problem;
      list.appendChild(item);
    });
    if (made.problems.length) return;
    // GitHub forks the repository for a stranger and offers the new file as a pull request.
    window.location.href = form.getAttribute("data-new-file") + "?filename=" + encodeURIComponent(made.path) +
      "&value=" + encodeURIComponent(made.text);
  });
})();
