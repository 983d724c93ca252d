// Large-text mode for older visitors: a toggle remembered on this device.
(function () {
  var root = document.documentElement;
  var key = "archive-large-text";
  function apply(on) {
    root.classList.toggle("large-text", on);
    var button = document.getElementById("text-size");
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var label = button.getAttribute(on ? "data-label-on" : "data-label-off");
      button.textContent = label || (on ? "标准字" : "大字");
    }
  }
  var stored = false;
  try { stored = localStorage.getItem(key) === "1"; } catch (e) {}
  apply(stored);
  var button = document.getElementById("text-size");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var on = !root.classList.contains("large-text");
    apply(on);
    try { localStorage.setItem(key, on ? "1" : "0"); } catch (e) {}
  });
})();
