// Kiosk mode: after some idle minutes the screen returns to the home page; links to
// other hosts are hidden; a full-screen button where the browser allows it.
(function () {
  "use strict";
  var root = document.documentElement;
  var home = root.getAttribute("data-home");
  var minutes = parseFloat(root.getAttribute("data-idle-minutes") || "3");
  var timer = null;
  var atHome = home === "index.html";
  function reset() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (!atHome || location.search || location.hash) { location.href = home; }
      else { window.scrollTo(0, 0); reset(); }
    }, minutes * 60000);
  }
  ["pointerdown", "keydown", "touchstart", "wheel", "scroll"].forEach(function (e) {
    window.addEventListener(e, reset, {passive: true});
  });
  reset();
  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
    if (/^[a-z]+:/i.test(a.getAttribute("href"))) { a.hidden = true; a.setAttribute("aria-hidden", "true"); }
  });
  var bar = document.querySelector("header.site .bar");
  if (bar && document.documentElement.requestFullscreen) {
    var button = document.createElement("button");
    button.type = "button"; button.className = "kiosk-full"; button.textContent = "全屏";
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else { document.documentElement.requestFullscreen().catch(function () {}); }
    });
    bar.appendChild(button);
  }
})();
