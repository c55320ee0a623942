// Every page: search downloads nothing until a reader focuses a search box (this only waits for
// that), and the keys: / searches; left arrow or j goes to the previous day (or week), right arrow
// or k to the next. A file of its own, not in each page: the browser fetches it once for the site.
(function () {
  var box = document.getElementById("site-search"), loaded = false;
  function load() {
    if (loaded) return;
    loaded = true;
    var script = document.createElement("script");
    script.src = box.getAttribute("data-script");
    document.head.appendChild(script);
  }
  if (box) box.addEventListener("focus", load);  // the search page has its own box instead
  var keys = { "ArrowLeft": "prev", "j": "prev", "ArrowRight": "next", "k": "next" };
  document.addEventListener("keydown", function (event) {
    var target = document.activeElement, typing = target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (typing || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    if (event.key === "/") {
      event.preventDefault();
      (document.getElementById("search-page-input") || box).focus();
    } else if (keys[event.key]) {
      var link = document.querySelector(".pager a[rel=" + keys[event.key] + "]");
      if (link) { event.preventDefault(); link.click(); }
    }
  });
})();
