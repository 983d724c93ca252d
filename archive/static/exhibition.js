// An exhibition's chapters load more cards a page at a time (the link works without
// JavaScript: it opens the chapter's own pages).
(function () {
  document.querySelectorAll("a[data-more]").forEach(function (more) {
    var list = more.closest(".chapter").querySelector("[data-chapter]");
    var next = more.getAttribute("href");
    more.addEventListener("click", function (event) {
      if (!next || !window.fetch || !window.DOMParser) return;
      event.preventDefault();
      more.setAttribute("aria-busy", "true");
      fetch(next, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var shown = {};
          list.querySelectorAll("a").forEach(function (a) { shown[a.getAttribute("href")] = true; });
          var added = 0;
          doc.querySelectorAll("[data-chapter-page] > li").forEach(function (li) {
            var a = li.querySelector("a");
            if (a && shown[a.getAttribute("href")]) return;
            list.appendChild(document.importNode(li, true));
            added += 1;
          });
          var rel = doc.querySelector("a[rel=next]");
          next = rel ? new URL(rel.getAttribute("href"), new URL(next, location.href)).toString() : null;
          more.removeAttribute("aria-busy");
          if (!next) more.parentNode.remove();
          else more.textContent = more.getAttribute("data-label-more") || "加载更多";
          if (added && list.children[list.children.length - added]) {
            var first = list.children[list.children.length - added].querySelector("a");
            if (first) first.focus({ preventScroll: true });
          }
        })
        .catch(function () { location.href = more.getAttribute("href"); });
    });
  });
})();
