// Only loaded when WECHAT_JSSDK_URL is set (a 公众号 with WeChat's JS-SDK): once the
// SDK has been configured (wx.config with the 公众号's signature, which the operator's
// own integration provides), share this page with its title, description and card.
(function () {
  if (typeof wx === "undefined" || !wx.ready) return;
  var meta = function (sel) { var m = document.querySelector(sel); return m ? m.content : ""; };
  var share = {
    title: document.title,
    desc: meta('meta[name="description"]'),
    link: (document.querySelector('link[rel="canonical"]') || location).href,
    imgUrl: meta('meta[name="wechat-share"]')
  };
  wx.ready(function () {
    if (wx.updateAppMessageShareData) wx.updateAppMessageShareData(share);
    if (wx.updateTimelineShareData) wx.updateTimelineShareData(share);
  });
})();
