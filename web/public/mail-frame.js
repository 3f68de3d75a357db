// Runs inside the sandboxed mail frame, the one script its CSP allows. The
// frame has an opaque origin: this cannot reach the app, and the app cannot
// measure the frame. So it tells the page its content's height, now and on
// every change (images, fonts, a narrower window), and the page sizes the
// frame to it: no inner scroll bar.
(function () {
  var last = -1;
  function post() {
    // The content's own height: the root's scrollHeight never drops below
    // the frame's, so it could grow but not shrink.
    var h = Math.ceil(Math.max(document.documentElement.getBoundingClientRect().height, document.body.scrollHeight));
    if (h === last) return;
    last = h;
    parent.postMessage({ type: "ticketer:mail-frame-height", height: h }, "*");
  }
  if (typeof ResizeObserver === "function") new ResizeObserver(post).observe(document.body);
  addEventListener("load", post);
  post();
})();
