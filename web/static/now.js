// Keeps "On air now" current without a reload: polls /api/v1/now with If-None-Match.
(function () {
  "use strict";
  var box = document.getElementById("now");
  if (!box || !window.fetch) { return; }
  var etag = null;
  var labels = { rotation: "Music from our rotation", scheduled: "Scheduled programme",
                 live: "Live", emergency: "We will be back shortly" };
  function el(tag, cls, text) { var e = document.createElement(tag); e.className = cls; e.textContent = text; return e; }
  function render(data) {
    var item = data.on_air;
    box.textContent = "";
    if (!item) { box.appendChild(el("p", "", "The station is starting up.")); return; }
    var title = el("p", "now-title", item.title || "Untitled");
    if (item.artist) { title.appendChild(document.createTextNode(" ")); title.appendChild(el("span", "artist", "by " + item.artist)); }
    box.appendChild(title);
    if (item.show) { box.appendChild(el("p", "now-show", item.show)); }
    box.appendChild(el("p", "now-source", labels[item.source] || ""));
  }
  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch("/api/v1/now", { headers: headers }).then(function (r) {
      if (r.status === 200) { etag = r.headers.get("ETag"); return r.json().then(render); }
    }).catch(function () {}).then(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 3000);
})();
