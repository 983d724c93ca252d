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

// The story editor: curators write as in a word processor (paragraphs, bold, links)
// and never see Markdown; the textarea, kept in step, is what the form sends.
// Pasting from Word or WPS keeps paragraphs and bold and drops everything else.
document.querySelectorAll("textarea[data-rich-editor]").forEach(function (area) {
  var initial = document.getElementById(area.dataset.richEditor || "story-html");
  if (!initial) return;
  var label = area.dataset.label || "事迹正文";
  var field = area.closest(".story-field");
  var bar = document.createElement("div");
  bar.className = "editor-bar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", label + "的格式");
  var editor = document.createElement("div");
  editor.className = "editor";
  editor.contentEditable = "true";
  editor.setAttribute("role", "textbox");
  editor.setAttribute("aria-multiline", "true");
  editor.setAttribute("aria-label", label);
  if (area.lang) editor.lang = area.lang;
  editor.innerHTML = initial.innerHTML.trim() || "<p><br></p>";
  [["bold", "加粗"], ["link", "链接"], ["plain", "清除格式"]].forEach(function (b) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = b[1];
    button.dataset.command = b[0];
    bar.appendChild(button);
  });
  area.hidden = true;
  field.classList.add("has-editor");
  area.after(bar, editor);

  function escape(text) {
    return text.replace(/([\\*_`\[\]])/g, "\\$1").replace(/^(\s*)([#>+-]|\d+\.)/gm, "$1\\$2");
  }
  function inline(node) {
    var out = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) { out += escape(child.nodeValue.replace(/\s*\n\s*/g, " ")); return; }
      if (child.nodeType !== 1) return;
      var tag = child.tagName;
      var inner = inline(child);
      if (tag === "BR") out += "\n";
      else if ((tag === "B" || tag === "STRONG") && inner.trim()) out += "**" + inner.trim() + "**";
      else if (tag === "A" && /^(https?:|mailto:)/.test(child.getAttribute("href") || ""))
        out += "[" + inner + "](" + child.getAttribute("href") + ")";
      else out += inner;
    });
    return out;
  }
  function paragraphs(root) {
    var found = [], loose = document.createElement("p");
    function flush() { if (loose.childNodes.length) { found.push(inline(loose)); loose = document.createElement("p"); } }
    root.childNodes.forEach(function (child) {
      if (child.nodeType === 1 && /^(P|DIV|H\d|LI|BLOCKQUOTE|UL|OL|TABLE|TR)$/.test(child.tagName)) {
        flush();
        if (/^(UL|OL|TABLE|BLOCKQUOTE)$/.test(child.tagName)) found = found.concat(paragraphs(child));
        else found.push(inline(child));
      } else loose.appendChild(child.cloneNode(true));
    });
    flush();
    // adjacent bold runs (Word splits them) read as one
    return found.map(function (p) { return p.replace(/(^|[^\\])\*\*\*\*/g, "$1").trim(); })
      .filter(Boolean);
  }
  function sync() { area.value = paragraphs(editor).join("\n\n"); }

  // What a paste may bring: paragraphs and bold (Word marks bold with a style too).
  function cleaned(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var out = document.createElement("div");
    function walk(node, into) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === 3) { into.appendChild(document.createTextNode(child.nodeValue)); return; }
        if (child.nodeType !== 1 || /^(STYLE|SCRIPT|META|TITLE|XML|O:P)$/.test(child.tagName)) return;
        var bold = /^(B|STRONG)$/.test(child.tagName) ||
          /font-weight:\s*(bold|[6-9]00)/i.test(child.getAttribute("style") || "");
        var block = /^(P|DIV|H\d|LI|TR)$/.test(child.tagName);
        var target = block ? document.createElement("p") : (bold ? document.createElement("strong") : into);
        if (block && bold) { var s = document.createElement("strong"); target.appendChild(s); walk(child, s); }
        else walk(child, target);
        if (target !== into) into.appendChild(target);
      });
    }
    walk(doc.body, out);
    return out.innerHTML;
  }

  editor.addEventListener("input", sync);
  editor.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data) return;
    event.preventDefault();
    var html = data.getData("text/html");
    if (html) document.execCommand("insertHTML", false, cleaned(html));
    else document.execCommand("insertText", false, data.getData("text/plain"));
    sync();
  });
  bar.addEventListener("click", function (event) {
    var command = event.target.dataset && event.target.dataset.command;
    if (!command) return;
    if (command === "bold") document.execCommand("bold");
    else if (command === "plain") document.execCommand("removeFormat");
    else if (command === "link") {
      var url = window.prompt("链接地址（以 https:// 开头）", "https://");
      if (url && /^https?:\/\//.test(url)) document.execCommand("createLink", false, url);
    }
    editor.focus();
    sync();
  });
  area.form.addEventListener("submit", sync);
});
