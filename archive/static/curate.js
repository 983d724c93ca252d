// Back office: a running job's page follows the job; the list's "select all" box.
(function () {
  var job = document.querySelector("[data-poll]");
  if (job) {
    var url = job.getAttribute("data-poll");
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return setTimeout(poll, 5000);
          if (s.finished) return location.reload();  // the report is drawn by the server
          job.querySelector(".job-status").textContent = s.headline;
          job.querySelector(".job-stage").textContent = s.message;
          job.querySelector(".job-count").textContent = s.total ? s.progress + " / " + s.total : "";
          var bar = job.querySelector("progress");
          if (s.total) { bar.max = s.total; bar.value = s.progress; }
          else if (s.status === "running") bar.removeAttribute("value");
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1000);
  }

  var all = document.querySelector("input[data-select-all]");
  if (all) {
    var boxes = document.querySelectorAll("input[name=ids]");
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
    boxes.forEach(function (b) {
      b.addEventListener("change", function () {
        all.checked = Array.prototype.every.call(boxes, function (x) { return x.checked; });
      });
    });
  }
})();

// Pickers: a record chosen by typing its name, pinyin or unit, never its number.
// Each option reads "name · unit · 编号 N"; the server reads the number back.
(function () {
  document.querySelectorAll("input[data-picker]").forEach(function (input, n) {
    var list = document.createElement("datalist");
    list.id = "picker-" + n;
    input.setAttribute("list", list.id);
    input.after(list);
    var last = "", timer = null;
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text === last || /编号 \d+$/.test(text)) return;
      last = text;
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!text) { list.replaceChildren(); return; }
        fetch(input.getAttribute("data-picker") + "?q=" + encodeURIComponent(text),
              { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) {
            list.replaceChildren.apply(list, found.map(function (f) {
              var option = document.createElement("option");
              option.value = f.label;
              option.textContent = f.status;
              return option;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
