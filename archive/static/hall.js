// The panoramic hall: Pannellum with the hall's scenes, portrait hotspots that open
// profiles, doors between rooms, a guided tour, gyroscope and full screen; without
// WebGL the list of honorees (always in the page) is what the visitor gets.
(function () {
  "use strict";
  var root = document.getElementById("hall");
  var data = document.getElementById("hall-config");
  if (!root || !data) return;
  var config = JSON.parse(data.textContent);
  var fallback = document.getElementById("hall-nowebgl");
  // what the script says, in the page's language (#hall-strings); Chinese without it
  var strings = {
    read: "%(name)s：阅读事迹", offline: "网络不畅，未能进入下一个展室，请再试一次。",
    loading: "正在载入展馆…", noPanorama: "无法显示全景。", fullOn: "退出全屏", fullOff: "全屏",
    gyroHttps: "体感浏览需要通过 https 地址访问。", gyroRefused: "未获准使用体感。",
    tour: "自动导览", tourStop: "停止导览", goingTo: "前往：%(room)s", colon: "%(title)s：%(text)s"
  };
  try {
    var given = JSON.parse((document.getElementById("hall-strings") || {}).textContent || "{}");
    Object.keys(given).forEach(function (key) { if (given[key]) strings[key] = given[key]; });
  } catch (e) {}
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values[name] === undefined ? all : values[name];
    });
  }

  function hasWebGL() {
    try {
      var canvas = document.createElement("canvas");
      return !!(window.WebGLRenderingContext &&
        (canvas.getContext("webgl") || canvas.getContext("experimental-webgl")));
    } catch (e) { return false; }
  }
  function giveUp() {
    root.classList.add("no-webgl");
    fallback.hidden = false;
  }
  if (!hasWebGL() || !window.pannellum || !config.entrance) { giveUp(); return; }

  // From file:// (the kiosk edition on a USB stick) an image fetched with CORS fails
  // and one without taints WebGL: the kiosk carries each room's tiles as data: URLs
  // (tiles.js, by script tag), handed to Pannellum in place of the tiles' addresses.
  if (location.protocol === "file:" && window.HALL_TILES) {
    var NativeImage = window.Image;
    var tileData = function (url) {
      var m = /(?:^|\/)tiles\/([^\/]+)\/(.+)$/.exec(String(url));
      var room = m && window.HALL_TILES[decodeURIComponent(m[1])];
      return room && room[decodeURIComponent(m[2])];
    };
    window.Image = function (width, height) {
      var image = new NativeImage(width, height);
      Object.defineProperty(image, "crossOrigin", { get: function () { return null; }, set: function () {} });
      Object.defineProperty(image, "src", {
        get: function () { return image.getAttribute("src") || ""; },
        set: function (url) { image.setAttribute("src", tileData(url) || url); }
      });
      return image;
    };
  }

  var caption = document.getElementById("hall-caption");
  function say(text) {
    caption.textContent = text || "";
    caption.hidden = !text;
  }

  function draw(div, spot) {
    var label = document.createElement("span");
    label.className = "label";
    label.textContent = spot.title;
    if (spot.kind === "portrait") {
      var link = document.createElement("a");
      link.href = spot.url;
      link.setAttribute("aria-label", fill(strings.read, { name: spot.title }));
      link.appendChild(label);
      div.appendChild(link);
    } else if (spot.kind === "door") {
      var door = document.createElement("span");
      door.className = "door";
      door.setAttribute("role", "button");
      door.textContent = fill(strings.colon, { title: spot.title, text: spot.text });
      div.appendChild(door);
    } else {
      var info = document.createElement("span");
      info.className = "info";
      info.setAttribute("role", "button");
      info.setAttribute("aria-label", spot.title);
      info.textContent = spot.kind === "audio" ? "♪" : "i";
      div.appendChild(info);
      info.addEventListener("click", function () {
        if (spot.kind === "audio" && spot.audio) { new Audio(spot.audio).play(); }
        say(fill(strings.colon, { title: spot.title, text: spot.text }));
      });
    }
  }

  var portrait = window.innerWidth < window.innerHeight;
  function sceneConfig(s) {
    return {
      type: "multires", title: s.title, yaw: s.yaw, pitch: s.pitch,
      hfov: portrait ? 80 : s.hfov, minHfov: 40, maxHfov: portrait ? 100 : 120,
      multiRes: { basePath: s.base, path: "/%l/%s%y_%x", extension: "jpg",
                  tileResolution: s.tile, maxLevel: s.levels, cubeResolution: s.cube },
      hotSpots: s.hotspots.map(function (h) {
        var spot = { pitch: h.pitch, yaw: h.yaw, cssClass: "hall-spot hall-" + h.kind,
                     createTooltipFunc: draw, createTooltipArgs: h, type: "info" };
        if (h.kind === "door") {
          spot.clickHandlerFunc = function () { enter(h.target); };
        }
        return spot;
      })
    };
  }
  var scenes = {};
  Object.keys(config.scenes).forEach(function (key) { scenes[key] = sceneConfig(config.scenes[key]); });

  // the other rooms' settings: asked for once the first room is on screen (or at
  // once when a door is taken before that), added to the viewer as they come
  var more = null;
  function fetchRooms() {
    if (!more) {
      more = config.more ? fetch(config.more, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (all) {
          Object.keys(all).forEach(function (key) {
            if (config.scenes[key]) return;
            config.scenes[key] = all[key];
            viewer.addScene(key, sceneConfig(all[key]));
          });
        }) : Promise.resolve();
      more.catch(function () { more = null; });
    }
    return more;
  }
  function enter(key) {
    fetchRooms().then(function () {
      if (config.scenes[key]) viewer.loadScene(key, 2, 0);
    }, function () { say(strings.offline); });
  }
  var start = config.start || {};
  var first = scenes[start.scene] ? start.scene : config.entrance;
  if (typeof start.yaw === "number") scenes[first].yaw = start.yaw;
  if (typeof start.pitch === "number") scenes[first].pitch = start.pitch;

  var viewer;
  try {
    viewer = window.pannellum.viewer("pano", {
      default: { firstScene: first, autoLoad: true, showControls: false, compass: false,
                 sceneFadeDuration: 500, keyboardZoom: true, mouseZoom: true,
                 strings: { loadingLabel: strings.loading, genericWebGLError: strings.noPanorama,
                            noWebGLError: strings.noPanorama } },
      scenes: scenes
    });
  } catch (e) { giveUp(); return; }
  viewer.on("error", function () { giveUp(); });
  window.hallViewer = viewer;
  document.getElementById("hall-bar").hidden = false;
  function loaded() { document.documentElement.dataset.hallScene = viewer.getScene(); }
  viewer.on("load", loaded);
  if (viewer.isLoaded()) loaded();
  // the first view's tiles hold the page's load event back: the rest comes after it
  if (document.readyState === "complete") window.setTimeout(fetchRooms, 0);
  else window.addEventListener("load", function () { window.setTimeout(fetchRooms, 0); });

  // full screen: the Fullscreen API where there is one, else a fixed overlay (WeChat, iOS)
  var full = document.getElementById("hall-full");
  full.addEventListener("click", function () {
    var api = document.fullscreenEnabled || document.webkitFullscreenEnabled;
    var on = !(document.fullscreenElement || document.webkitFullscreenElement ||
               root.classList.contains("overlay"));
    if (api) {
      if (on) (root.requestFullscreen || root.webkitRequestFullscreen).call(root);
      else (document.exitFullscreen || document.webkitExitFullscreen).call(document);
    } else {
      root.classList.toggle("overlay", on);
      window.dispatchEvent(new Event("resize"));
    }
    full.setAttribute("aria-pressed", on ? "true" : "false");
    full.textContent = on ? strings.fullOn : strings.fullOff;
  });

  // gyroscope (体感): offered where the device reports orientation; iOS asks on a tap
  var gyro = document.getElementById("hall-gyro");
  if (window.DeviceOrientationEvent && ("ontouchstart" in window)) {
    gyro.hidden = false;
    gyro.addEventListener("click", function () {
      if (viewer.isOrientationActive()) {
        viewer.stopOrientation();
        gyro.setAttribute("aria-pressed", "false");
        return;
      }
      if (!window.isSecureContext) { say(strings.gyroHttps); return; }
      var ask = window.DeviceOrientationEvent.requestPermission;
      var go = function () { viewer.startOrientation(); gyro.setAttribute("aria-pressed", "true"); };
      if (typeof ask === "function") {
        ask().then(function (answer) { if (answer === "granted") go(); else say(strings.gyroRefused); })
             .catch(function () { say(strings.gyroRefused); });
      } else { go(); }
    });
  }

  // guided tour (自动导览): from portrait to portrait with captions, then through the
  // door to the next room; any touch, click, wheel or key stops it at once
  var tourButton = document.getElementById("hall-tour");
  var touring = false, timer = null;
  function stopTour() {
    if (!touring) return;
    touring = false;
    clearTimeout(timer);
    viewer.stopMovement();
    tourButton.setAttribute("aria-pressed", "false");
    tourButton.textContent = strings.tour;
    say("");
  }
  function tourScene(index) {
    if (!touring) return;
    var key = viewer.getScene();
    if (!config.scenes[key]) { stopTour(); return; }
    var spots = config.scenes[key].hotspots.filter(function (h) { return h.kind === "portrait"; });
    if (index >= spots.length) {
      var order = config.order, next = order[(order.indexOf(key) + 1) % order.length];
      if (next === key || next === undefined) { stopTour(); return; }
      say(fill(strings.goingTo, { room: (config.titles || {})[next] || config.scenes[next].title }));
      timer = setTimeout(function () {
        if (!touring) return;
        enter(next);
        viewer.on("load", function once() { viewer.off("load", once); timer = setTimeout(function () { tourScene(0); }, 800); });
      }, 1500);
      return;
    }
    var h = spots[index];
    viewer.lookAt(h.pitch, h.yaw, portrait ? 60 : 50, 2200, function () {
      if (!touring) return;
      say(h.title + (h.text ? "　" + h.text : ""));
      timer = setTimeout(function () { tourScene(index + 1); }, 3200);
    });
  }
  tourButton.addEventListener("click", function (event) {
    event.stopPropagation();
    if (touring) { stopTour(); return; }
    touring = true;
    tourButton.setAttribute("aria-pressed", "true");
    tourButton.textContent = strings.tourStop;
    tourScene(0);
  });
  var pano = document.getElementById("pano");
  ["pointerdown", "touchstart", "wheel", "keydown"].forEach(function (name) {
    pano.addEventListener(name, stopTour, { passive: true });
  });
})();
