// The album's lightbox: PhotoSwipe 5 (swipe between items, pinch and double-tap to
// zoom, keyboard arrows) over the grid of links, which works without JavaScript.
// Videos play in the lightbox with the archive's own files (range requests).
import PhotoSwipeLightbox from "./vendor/photoswipe-5.4.4/photoswipe-lightbox.esm.min.js";
import PhotoSwipe from "./vendor/photoswipe-5.4.4/photoswipe.esm.min.js";

const grid = document.querySelector("[data-album]");
if (grid) {
  // the page's words (English pages translate them); Chinese without them
  const said = grid.dataset;
  const words = {
    close: said.labelClose || "关闭", zoom: said.labelZoom || "放大",
    previous: said.labelPrevious || "上一张", next: said.labelNext || "下一张",
    error: said.labelError || "这张照片暂时无法显示",
    credit: said.labelCredit || "摄影/来源：", separator: said.labelSeparator || "：",
  };
  const lightbox = new PhotoSwipeLightbox({
    gallery: grid, children: "a", pswpModule: PhotoSwipe,
    doubleTapAction: "zoom", tapAction: "toggle-controls", bgOpacity: 1,
    closeTitle: words.close, zoomTitle: words.zoom, arrowPrevTitle: words.previous,
    arrowNextTitle: words.next, errorMsg: words.error, indexIndicatorSep: " / ",
  });
  lightbox.addFilter("itemData", (data) => {
    const link = data.element;
    if (link && link.dataset.video) {
      return { ...data, type: "video", video: link.dataset.video, poster: link.dataset.poster,
               width: Number(link.dataset.pswpWidth), height: Number(link.dataset.pswpHeight) };
    }
    return data;
  });
  lightbox.on("contentLoad", (event) => {
    const { content } = event;
    if (content.type !== "video") return;
    event.preventDefault();
    const box = document.createElement("div");
    box.className = "pswp__album-video";
    const video = document.createElement("video");
    video.controls = true;
    video.preload = "metadata";
    video.playsInline = true;
    video.setAttribute("playsinline", "");
    video.setAttribute("webkit-playsinline", "");
    if (content.data.poster) video.poster = content.data.poster;
    video.src = content.data.video;
    box.appendChild(video);
    content.element = box;
    content.onLoaded();
  });
  lightbox.addFilter("isContentZoomable", (zoomable, content) =>
    content.type === "video" ? false : zoomable);
  lightbox.on("change", () => {  // a video left behind stops
    document.querySelectorAll(".pswp video").forEach((v) => {
      if (!v.closest(".pswp__item") || v.closest(".pswp__item").getAttribute("aria-hidden") === "true") v.pause();
    });
  });
  lightbox.on("uiRegister", () => {
    lightbox.pswp.ui.registerElement({
      name: "album-caption", order: 9, isButton: false, appendTo: "root",
      onInit: (el, pswp) => {
        el.className = "pswp__album-caption";
        el.setAttribute("aria-live", "polite");
        pswp.on("change", () => {
          const link = pswp.currSlide.data.element;
          el.replaceChildren();
          if (!link) return;
          // names, captions and credits are the curators' Chinese: marked as such
          // on English pages (data-content-lang)
          const content = (text) => {
            const span = document.createElement("span");
            if (said.contentLang) span.lang = said.contentLang;
            span.textContent = text;
            return span;
          };
          if (link.dataset.who) {
            el.append(content(link.dataset.who), words.separator);
          }
          if (link.dataset.caption) el.appendChild(content(link.dataset.caption));
          if (link.dataset.credit) {
            const credit = document.createElement("span");
            credit.className = "credit";
            credit.append(words.credit, content(link.dataset.credit));
            el.appendChild(credit);
          }
          el.hidden = !el.childNodes.length;
        });
      },
    });
  });
  lightbox.init();
  window.albumLightbox = lightbox;
}
