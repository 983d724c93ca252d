// The 收听事迹 player: progressive enhancement of a plain <audio controls>
// (which is what visitors without script get). Play/pause, a seek bar, speed.
(function () {
  function clock(s) {
    s = Math.max(0, Math.floor(s || 0));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  document.querySelectorAll("[data-narration]").forEach(function (section) {
    var audio = section.querySelector("audio");
    var player = section.querySelector(".player");
    if (!audio || !player) return;
    var play = player.querySelector(".play");
    var seek = player.querySelector(".seek");
    var time = player.querySelector(".time");
    var speeds = player.querySelectorAll(".speed");
    var seeking = false;
    audio.controls = false;
    player.hidden = false;
    function total() {
      return isFinite(audio.duration) && audio.duration > 0 ? audio.duration
        : parseFloat(audio.dataset.duration) || 0;
    }
    function show() {
      if (!seeking) seek.value = audio.currentTime;
      seek.max = total();
      time.textContent = clock(audio.currentTime) + " / " + clock(total());
    }
    // the page's words (English pages translate them); Chinese without them
    var words = {play: section.dataset.labelPlay || "播放", pause: section.dataset.labelPause || "暂停"};
    function label() {
      var playing = !audio.paused && !audio.ended;
      play.textContent = playing ? "❚❚ " + words.pause : "▶ " + words.play;
      play.setAttribute("aria-label", playing ? words.pause : words.play);
    }
    play.addEventListener("click", function () {
      if (audio.paused || audio.ended) {
        var started = audio.play();
        if (started && started.catch) started.catch(function () { label(); });
      } else {
        audio.pause();
      }
    });
    seek.addEventListener("input", function () { seeking = true; });
    seek.addEventListener("change", function () {
      seeking = false;
      audio.currentTime = parseFloat(seek.value) || 0;
      show();
    });
    speeds.forEach(function (button) {
      button.addEventListener("click", function () {
        audio.playbackRate = parseFloat(button.dataset.rate);
        speeds.forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
      });
    });
    ["play", "pause", "ended"].forEach(function (e) { audio.addEventListener(e, label); });
    ["timeupdate", "loadedmetadata", "durationchange"].forEach(function (e) {
      audio.addEventListener(e, show);
    });
    if (section.classList.contains("listening")) {
      section.scrollIntoView({block: "start"});
      play.focus({preventScroll: true});
    }
    label();
    show();
  });
})();
