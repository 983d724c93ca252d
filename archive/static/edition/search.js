// Search in the static edition: Pagefind over the exported profiles (its index is
// fetched, so it needs http(s)); from file:// (a kiosk's USB stick) a small index of
// names, pinyin readings and facets loaded by a script tag instead. Facets arrive as
// query parameters (also from the browse pages' combinations of facets).
(function () {
  "use strict";
  var folding = null;
  // The live search's folding (search/analysis.py): traditional characters as
  // simplified, full-width as ASCII, lower case; the table is search/fold.js.
  function fold(text) {
    if (!folding) {
      folding = {};
      var pairs = Array.from(window.EDITION_FOLD || "");  // by code point: some are astral
      for (var i = 0; i + 1 < pairs.length; i += 2) { folding[pairs[i]] = pairs[i + 1]; }
    }
    return Array.from(text, function (c) { return folding[c] || c; }).join("").toLowerCase();
  }
  // Pagefind scores words; a visitor who types a whole name (or its full pinyin)
  // expects that person first, as on the live site: exact names, then names that
  // begin with the query, then Pagefind's order.
  function rank(query, data) {
    var q = fold(query).replace(/[\s·・.]+/g, "");
    function place(d) {
      var name = fold(d.meta.name || d.meta.title || "").replace(/[\s·・.]+/g, "");
      var readings = (d.meta.readings || "").split(" ");
      if (q && (name === q || readings.indexOf(q) >= 0)) { return 0; }
      return q && name.indexOf(q) === 0 ? 1 : 2;
    }
    return data.map(function (d, i) { return [place(d), i, d]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .map(function (x) { return x[2]; });
  }
  // One search as the page runs it (the bench calls it too): the first ``limit``
  // results' data, ranked.
  window.editionSearch = function (pagefind, query, filters, limit) {
    return pagefind.search(fold(query) || null, {filters: filters}).then(function (search) {
      return Promise.all(search.results.slice(0, limit).map(function (r) { return r.data(); }))
        .then(function (data) { return {total: search.results.length, data: rank(query, data)}; });
    });
  };
  // Pagefind, with every shard of the profiles' index merged into the first
  // (search/shards.js lists them); paths from the page's address, not this script's
  // (a classic script's import() resolves against the script: static/pagefind/).
  var merged = null;
  window.editionPagefind = function () {
    if (!merged) {
      var shards = window.EDITION_SHARDS || [];
      var base = new URL("../pagefind/", document.baseURI);
      merged = shards.length ? import(new URL(shards[0] + "/pagefind.js", base).href).then(function (pagefind) {
        return Promise.all(shards.slice(1).map(function (shard) {
          return pagefind.mergeIndex(new URL(shard + "/", base).href, {baseUrl: "/"});
        })).then(function () { return pagefind; });
      }) : Promise.reject(new Error("no search index"));
    }
    return merged;
  };
  var form = document.getElementById("edition-search");
  if (!form) { return; }
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var chips = document.getElementById("search-chips");
  var labels = JSON.parse(document.getElementById("search-labels").textContent);
  var FACETS = ["kind", "level", "title", "year", "region", "nominator", "industry"];
  var params = new URLSearchParams(location.search);
  var selected = {};
  FACETS.forEach(function (name) { if (params.get(name)) { selected[name] = params.get(name); } });
  input.value = params.get("q") || "";
  ["kind", "level"].forEach(function (name) {
    var select = document.getElementById("search-" + name);
    select.value = selected[name] || "";
    select.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
  });
  var others = FACETS.filter(function (n) { return n !== "kind" && n !== "level" && selected[n]; });
  others.forEach(function (name) {
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = name; hidden.value = selected[name];
    form.appendChild(hidden);
    var li = document.createElement("li");
    var a = document.createElement("a");
    var rest = new URLSearchParams(location.search); rest.delete(name);
    a.href = "?" + rest.toString();
    a.textContent = (name === "year" ? selected[name] + "年" : selected[name]) + " ✕";
    li.appendChild(a); chips.appendChild(li);
  });
  chips.hidden = others.length === 0;

  // the result's portrait, as a browse page's card shows it (its path is from the
  // edition's root; this page is one folder down)
  function thumb(portrait) {
    if (!portrait) {
      var none = document.createElement("span");
      none.className = "no-photo thumb"; none.setAttribute("role", "img");
      none.setAttribute("aria-label", "暂无照片");
      return none;
    }
    var box = document.createElement("span"); box.className = "thumb";
    var img = document.createElement("img");
    img.src = "../" + portrait; img.alt = ""; img.loading = "lazy"; img.decoding = "async";
    box.appendChild(img);
    return box;
  }

  function show(items, total) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li"); li.className = "result";
      var a = document.createElement("a"); a.href = item.url;
      a.appendChild(thumb(item.portrait));
      var text = document.createElement("span"); text.className = "card-text";
      [["card-name", item.name], ["card-honour", item.honour], ["card-unit", item.unit]].forEach(function (p) {
        var span = document.createElement("span"); span.className = p[0]; span.textContent = p[1] || "";
        text.appendChild(span);
      });
      a.appendChild(text); li.appendChild(a); list.appendChild(li);
    });
    status.textContent = total ? "找到 " + total + " 位（个）" + (total > items.length ? "，显示前 " + items.length + " 位" : "")
      : "没有找到符合条件的记录。可以只输入姓氏、拼音或首字母（如 zw）。";
  }

  var query = input.value.trim();
  var any = query || Object.keys(selected).length;
  if (!any) { return; }
  status.textContent = "正在搜索……";

  function fallback() {
    var script = document.createElement("script");
    script.src = "data.js";
    script.onload = function () { var found = localSearch(window.EDITION_INDEX || []); show(found.slice(0, 50), found.length); };
    script.onerror = function () { status.textContent = "搜索索引无法加载。"; };
    document.head.appendChild(script);
  }

  function localSearch(index) {
    var q = fold(query);
    var terms = q.split(/\s+/).filter(Boolean);
    var joined = terms.join("");
    var scored = [];
    index.forEach(function (r) {
      for (var name in selected) {
        if ((r.f[name] || []).indexOf(selected[name]) < 0) { return; }
      }
      var score = 0;
      if (terms.length) {
        var words = " " + r.w + " ";
        if (r.n === q) { score = 100; }
        else if (r.n.indexOf(q) === 0) { score = 80; }
        else if (words.indexOf(" " + joined + " ") >= 0) { score = 70; }
        else if (r.n.indexOf(q) >= 0) { score = 60; }
        else if (words.indexOf(" " + joined) >= 0) { score = 50; }
        else if (terms.every(function (t) { return words.indexOf(" " + t) >= 0 || r.n.indexOf(t) >= 0 || (r.u || "").indexOf(t) >= 0 || (r.h || "").indexOf(t) >= 0; })) { score = 20; }
        if (!score) { return; }
      }
      scored.push({score: score, name: r.n, unit: r.u, honour: r.h, portrait: r.i,
                   url: "../honorees/" + r.id + "/index.html"});
    });
    scored.sort(function (a, b) { return b.score - a.score; });
    return scored;
  }

  if (location.protocol === "file:") { fallback(); return; }
  window.editionPagefind().then(function (pagefind) {
    var filters = {};
    for (var name in selected) { filters[name] = selected[name]; }
    return window.editionSearch(pagefind, query, filters, 50).then(function (found) {
      show(found.data.map(function (d) {
        return {name: d.meta.name || d.meta.title, unit: d.meta.unit, honour: d.meta.honour,
                portrait: d.meta.portrait,
                url: ".." + d.url.replace(/^[a-z]+:\/\/[^/]+/i, "")};
      }), found.total);
    });
  }).catch(fallback);
})();
