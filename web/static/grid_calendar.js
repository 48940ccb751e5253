// The volunteers' week calendar (FullCalendar): drag an airing to move it, or its edge to
// change its length. The server checks the move like the occurrence form does; a refused
// move is put back and its reason read out. Every airing is also a link to its form.
(function () {
  "use strict";
  const el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) return;
  const status = document.getElementById("calendar-status");
  const narrow = window.matchMedia("(max-width: 40rem)");
  const view = () => (narrow.matches ? "timeGridDay" : "timeGridWeek");
  // The station's clock as the page was made, moving on with the browser's.
  const skew = Date.parse(el.dataset.now) - Date.now();

  function say(text, problem) {
    status.textContent = text;
    status.classList.toggle("problem", !!problem);
  }

  function save(info) {
    const url = el.dataset.move.replace("OCCURRENCE", encodeURIComponent(info.event.id));
    say("Saving…", false);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": el.dataset.csrf,
      },
      body: JSON.stringify({ start: info.event.startStr, end: info.event.endStr }),
    })
      .then((r) => r.json().then((body) => ({ ok: r.ok, body: body })))
      .then(({ ok, body }) => {
        if (ok) {
          say(body.message, false);
          calendar.refetchEvents();
        } else {
          info.revert();
          say(body.detail || "The change was refused; the airing was put back.", true);
        }
      })
      .catch(() => {
        info.revert();
        say("The change could not be saved (no connection?); the airing was put back.", true);
      });
  }

  const calendar = new FullCalendar.Calendar(el, {
    timeZone: el.dataset.timezone,
    initialView: view(),
    initialDate: el.dataset.week,
    now: () => new Date(Date.now() + skew),
    firstDay: 1,
    locale: "en-GB",
    nowIndicator: true,
    allDaySlot: false,
    editable: true,
    eventDurationEditable: true,
    snapDuration: "00:15:00",
    slotDuration: "00:30:00",
    slotHeaderInterval: "01:00:00",
    scrollTime: "06:00:00",
    height: "auto",
    slotHeaderFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    // Its accessible name must say what it shows ("Today" named "This Week" fails axe).
    todayText: "Today",
    todayHint: "Today",
    headerToolbar: { start: "prev,next today", center: "title", end: "" },
    events: { url: el.dataset.events },
    // The airing's link says which day it is and where it leads (the keyboard's way to
    // change it), after the time and title it shows.
    eventDidMount: (info) => {
      const day = info.event.extendedProps.day;
      if (day && info.el.tagName === "A") {
        const more = document.createElement("span");
        more.className = "visually-hidden";
        more.textContent = " on " + day + ": change it on its own page";
        info.el.appendChild(more);
      }
    },
    eventDrop: save,
    eventResize: save,
  });
  narrow.addEventListener("change", () => calendar.changeView(view()));
  calendar.render();
})();
