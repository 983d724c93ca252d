// The hall editor: the scene in Pannellum; a click places the new hotspot (its
// yaw and pitch fill the form), a hotspot dragged or nudged moves and its form
// follows; the forms are what is saved, so the page works as plain forms too.
(function () {
  "use strict";
  var data = document.getElementById("editor-config");
  var box = document.getElementById("editor-pano");
  if (!data || !box || !window.pannellum) return;
  var config = JSON.parse(data.textContent);
  var selected = null;   // a form
  var pending = null;    // a new hotspot's place sent back with a refusal
  var nudge = document.getElementById("nudge");

  function formOf(id) { return document.querySelector('form[data-spot="' + id + '"]'); }
  function round(x) { return Math.round(x * 100) / 100; }
  function normalYaw(y) { return ((y + 180) % 360 + 360) % 360 - 180; }

  function drawSpot(div, spot) {
    div.classList.add("editor-spot");
    if (spot.generated) div.classList.add("generated");
    if (spot.id === "new") div.classList.add("new");
    var label = document.createElement("span");
    label.textContent = spot.title || "";
    div.appendChild(label);
    div.dataset.spot = spot.id;
    if (spot.generated) return;
    var start = function (event) {
      event.stopPropagation();
      event.preventDefault();
      select(formOf(spot.id));
      dragging = spot.id;
    };
    div.addEventListener("mousedown", start);
    div.addEventListener("touchstart", start, { passive: false });
    div.addEventListener("pointerdown", function (e) { e.stopPropagation(); });
  }

  function spotConfig(spot) {
    return { id: String(spot.id), pitch: spot.pitch, yaw: spot.yaw, cssClass: "editor-hotspot",
             createTooltipFunc: drawSpot, createTooltipArgs: spot };
  }
  var spots = {};
  config.hotspots.forEach(function (s) { spots[s.id] = s; });

  var viewer = window.pannellum.viewer("editor-pano", {
    type: "multires", autoLoad: true, showControls: true, compass: false,
    yaw: typeof config.view_yaw === "number" ? config.view_yaw : config.yaw,
    pitch: typeof config.view_pitch === "number" ? config.view_pitch : config.pitch,
    hfov: config.hfov, minHfov: 30, maxHfov: 120,
    multiRes: { basePath: config.base, path: "/%l/%s%y_%x", extension: "jpg",
                tileResolution: config.tile, maxLevel: config.levels, cubeResolution: config.cube },
    hotSpots: config.hotspots.map(spotConfig),
    strings: { loadingLabel: "正在载入场景…" }
  });
  window.hallEditor = viewer;

  function place(id, yaw, pitch) {
    var spot = spots[id] || { id: id, title: "新热点" };
    spot.yaw = round(normalYaw(yaw));
    spot.pitch = round(Math.max(-90, Math.min(90, pitch)));
    spots[id] = spot;
    viewer.removeHotSpot(String(id));
    viewer.addHotSpot(spotConfig(spot));
    var form = formOf(id);
    if (form) {
      form.querySelector("[data-yaw]").value = spot.yaw;
      form.querySelector("[data-pitch]").value = spot.pitch;
    }
    document.documentElement.dataset.editorSpot = id + ":" + spot.yaw + "," + spot.pitch;
  }

  function select(form) {
    document.querySelectorAll(".hotspots li.selected").forEach(function (li) { li.classList.remove("selected"); });
    document.querySelectorAll(".editor-spot.selected").forEach(function (d) { d.classList.remove("selected"); });
    selected = form;
    if (!form) { nudge.hidden = true; return; }
    var id = form.dataset.spot;
    var li = form.closest("li");
    if (li) li.classList.add("selected");
    var div = box.querySelector('.editor-spot[data-spot="' + id + '"]');
    if (div) div.classList.add("selected");
    nudge.hidden = false;
    document.getElementById("nudge-which").textContent =
      id === "new" ? "（新热点）" : "（" + ((spots[id] && spots[id].title) || "") + "）";
  }

  // a click (not a drag of the view) places the new hotspot there
  var down = null, dragging = null;
  box.addEventListener("mousedown", function (e) { down = [e.clientX, e.clientY]; }, true);
  box.addEventListener("mouseup", function (e) {
    if (dragging !== null) return;
    if (!down || Math.abs(e.clientX - down[0]) + Math.abs(e.clientY - down[1]) > 6) return;
    if (e.target.closest && e.target.closest(".pnlm-controls-container")) return;
    var at = viewer.mouseEventToCoords(e);
    place("new", at[1], at[0]);
    select(formOf("new"));
  });
  function move(e) {
    if (dragging === null) return;
    var point = e.touches ? e.touches[0] : e;
    var at = viewer.mouseEventToCoords(point);
    place(dragging, at[1], at[0]);
    if (e.cancelable) e.preventDefault();
  }
  document.addEventListener("mousemove", move);
  document.addEventListener("touchmove", move, { passive: false });
  ["mouseup", "touchend", "touchcancel"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (dragging !== null) setTimeout(function () { dragging = null; }, 0);
    });
  });

  nudge.addEventListener("click", function (e) {
    var step = e.target.dataset && e.target.dataset.nudge;
    if (!step || !selected) return;
    var d = step.split(",").map(Number);
    var id = selected.dataset.spot;
    var yaw = parseFloat(selected.querySelector("[data-yaw]").value) || viewer.getYaw();
    var pitch = parseFloat(selected.querySelector("[data-pitch]").value) || viewer.getPitch();
    place(id, yaw + d[1], pitch + d[0]);
  });
  document.querySelectorAll("[data-select]").forEach(function (b) {
    b.addEventListener("click", function () {
      var form = b.closest("form");
      select(form);
      var s = spots[form.dataset.spot];
      if (s) viewer.lookAt(s.pitch, s.yaw, undefined, 600);
    });
  });
  // typed numbers move the marker too
  document.querySelectorAll("form[data-spot]").forEach(function (form) {
    form.addEventListener("change", function (e) {
      if (!e.target.matches("[data-yaw], [data-pitch]")) return;
      var yaw = parseFloat(form.querySelector("[data-yaw]").value);
      var pitch = parseFloat(form.querySelector("[data-pitch]").value);
      if (isFinite(yaw) && isFinite(pitch)) place(form.dataset.spot, yaw, pitch);
    });
    // the saved page opens looking where the curator was looking
    form.addEventListener("submit", function () {
      form.action = form.action.split("?")[0];
    });
  });

  // the new hotspot's fields follow its kind
  var newForm = formOf("new");
  if (newForm) {
    var kind = newForm.querySelector("[data-kind]");
    var show = function () {
      newForm.querySelectorAll("[data-for]").forEach(function (label) {
        label.hidden = label.dataset.for.split(" ").indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", show);
    show();
    var y = parseFloat(newForm.querySelector("[data-yaw]").value);
    var p = parseFloat(newForm.querySelector("[data-pitch]").value);
    if (isFinite(y) && isFinite(p)) pending = [y, p];
  }

  // 用当前画面作起始视角
  document.getElementById("use-view").addEventListener("click", function () {
    var scene = document.getElementById("scene-form");
    scene.querySelector('[data-view="yaw"]').value = round(normalYaw(viewer.getYaw()));
    scene.querySelector('[data-view="pitch"]').value = round(viewer.getPitch());
  });
  // Pannellum's "load" event is not fired for a single multires panorama: poll
  var ready = setInterval(function () {
    if (!viewer.isLoaded()) return;
    clearInterval(ready);
    document.documentElement.dataset.editorLoaded = "1";
    if (pending) { place("new", pending[0], pending[1]); }
  }, 100);
})();
