// Suggest names as the visitor types (GET /search/suggest?q=…); the form works without it.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggest");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var last = "";

  function clear() {
    list.hidden = true;
    while (list.firstChild) { list.removeChild(list.firstChild); }
  }

  function show(items) {
    clear();
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      // names, units and honours as the archive writes them: Chinese, marked so on English pages
      if (input.getAttribute("data-content-lang")) { li.lang = input.getAttribute("data-content-lang"); }
      var a = document.createElement("a");
      a.href = item.url;
      var name = document.createElement("strong");
      name.textContent = item.name;
      a.appendChild(name);
      var detail = document.createElement("span");
      detail.textContent = [item.unit, item.honour].filter(Boolean).join(" · ");
      a.appendChild(detail);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }

  input.addEventListener("input", function () {
    var text = input.value.trim();
    window.clearTimeout(timer);
    if (!text) { clear(); return; }
    timer = window.setTimeout(function () {
      if (text === last) { return; }
      last = text;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text))
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === text) { show(body.items); } })
        .catch(function () { clear(); });
    }, 150);
  });
  input.addEventListener("keydown", function (e) { if (e.key === "Escape") { clear(); } });
})();
