// Keeps "On air now" current without a reload: polls /api/v1/now with If-None-Match
// (the answer is prepared when the on-air item changes, so a poll is cheap), and moves the
// progress bar along from the page's own clock in between.
(function () {
  "use strict";
  var box = document.getElementById("now");
  if (!box || !window.fetch || !window.Intl) { return; }
  var words = JSON.parse(box.getAttribute("data-status-words") || "{}");
  var zone = box.getAttribute("data-tz") || undefined;
  var nowUrl = box.getAttribute("data-now-url");
  var showBase = box.getAttribute("data-show-base");
  var pollMs = parseInt(box.getAttribute("data-poll-ms") || "3000", 10);
  var etag = null, current = null, presenters = {};
  var hm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone });
  var dayHm = new Intl.DateTimeFormat("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: zone });
  var day = new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeZone: zone });

  function field(name) { return document.querySelector('[data-field="' + name + '"]'); }
  function text(tag, value, cls) { var e = document.createElement(tag); e.textContent = value; if (cls) { e.className = cls; } return e; }
  function link(href, value) { var a = text("a", value); a.href = href; return a; }
  function when(iso) {
    var at = new Date(iso);
    return day.format(at) === day.format(new Date()) ? hm.format(at) : dayHm.format(at);
  }

  function renderShow(data) {
    var el = field("show"); el.textContent = "";
    var item = data.on_air;
    if (data.show) { el.appendChild(link(showBase + encodeURIComponent(data.show.slug), data.show.title)); }
    else { el.textContent = item && item.source === "emergency" ? "We will be back shortly" : "Music from our rotation"; }
    field("status").textContent = words[data.status] || "";
    var title = field("title"); title.textContent = "";
    if (!item) { title.textContent = "The station is starting up."; }
    else if (item.title) {
      title.appendChild(text("span", "Playing:", "label"));
      title.appendChild(document.createTextNode(" " + item.title));
      if (item.artist) { title.appendChild(document.createTextNode(" ")); title.appendChild(text("span", "by " + item.artist, "artist")); }
    }
    renderPresenters(data.show ? data.show.slug : null);
  }

  function renderPresenters(slug) {
    var el = field("presenters");
    if (!slug) { el.textContent = ""; return; }
    if (presenters[slug] !== undefined) {
      el.textContent = presenters[slug].length ? "With " + presenters[slug].join(", ") : "";
      return;
    }
    fetch("/api/v1/shows/" + encodeURIComponent(slug)).then(function (r) { return r.ok ? r.json() : { presenters: [] }; })
      .then(function (show) { presenters[slug] = show.presenters || []; if (current && current.show && current.show.slug === slug) { renderPresenters(slug); } })
      .catch(function () {});
  }

  function renderProgress() {
    var box = field("progress"), bar = document.getElementById("progress-bar");
    if (!current || !current.slot_start || !current.slot_end) { box.hidden = true; return; }
    var start = new Date(current.slot_start), end = new Date(current.slot_end);
    var total = Math.max(1, Math.floor((end - start) / 60000));
    var done = Math.min(total, Math.max(0, Math.floor((Date.now() - start) / 60000)));
    box.hidden = false;
    bar.max = total; bar.value = done;
    bar.setAttribute("aria-valuetext", done + " of " + total + " minutes");
    document.getElementById("progress-times").textContent = hm.format(start) + "–" + hm.format(end);
    box.querySelector(".progress-text").textContent = done + " of " + total + " min";
  }

  function renderNext(data) {
    var el = field("next"); el.textContent = "";
    if (!data.next) { el.textContent = "Nothing else is scheduled today; music from our rotation plays on."; return; }
    var t = text("time", when(data.next.start)); t.setAttribute("datetime", data.next.start);
    el.appendChild(t); el.appendChild(document.createTextNode(" "));
    el.appendChild(link(showBase + encodeURIComponent(data.next.slug), data.next.title));
  }

  function render(data) { current = data; renderShow(data); renderProgress(); renderNext(data); }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(nowUrl, { headers: headers, cache: "no-cache" }).then(function (r) {
      if (r.status === 200) { etag = r.headers.get("ETag"); return r.json().then(render); }
    }).catch(function () {}).then(function () { setTimeout(poll, pollMs); });
  }
  try { current = JSON.parse(document.getElementById("now-data").textContent); } catch (e) { current = null; }
  setInterval(renderProgress, 15000);
  setTimeout(poll, pollMs);
})();
