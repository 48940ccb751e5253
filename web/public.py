"""The listeners' pages: on air now, the schedule, the shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, Flask, abort, render_template, request

from radio.grid.model import Occurrence, Show
from radio.onair import NowDocument
from radio.playout.plan import SlotStatus
from web import programme, services
from web.pagecache import parts, without_session
from web.wording import STATUS_WORDS, long_date, slot_words

bp = Blueprint("public", __name__)


def init_app(app: Flask) -> None:
    """Register the listeners' other blueprints (``bp`` itself is registered with the API)."""
    from web import api_public, feeds, libretime, pagecache

    pagecache.init_app(app)
    for blueprint in (api_public.bp, feeds.bp, libretime.bp):
        app.register_blueprint(blueprint)


#: How far ahead a show page looks for its next dates.
AHEAD = timedelta(days=120)
WEEK = 7


@bp.get("/")
def home() -> str:
    data = now_data()
    ref = data.get("show")
    show = programme.grid().get_show(ref["slug"]) if ref else None
    return render_template(
        "home.html",
        now=data,
        show=show,
        status_words=STATUS_WORDS,
        progress=progress(data, programme.now()),
        zone=programme.zone_label(),
        tz_key=programme.tz().key,
        **stream_urls(),
    )


def stream_urls() -> dict[str, object]:
    """The player's sources: each relay's MP3 and Ogg mounts, then the station's own."""
    settings = services().settings
    bases = [b.rstrip("/") for b in (*settings.relays, settings.stream_url)]
    sources = [(f"{b}/stream.mp3", "audio/mpeg") for b in bases]
    sources += [(f"{b}/stream.ogg", "audio/ogg") for b in bases]
    return {"stream_mp3": sources[0][0], "stream_sources": sources}


def now_data() -> NowDocument:
    """``/api/v1/now``'s document; the grid's slot and next fill in while it lacks them."""
    data = services().on_air.current().data.copy()
    if "status" in data:
        return data
    at = programme.now()
    slot = programme.grid().scheduled_at(at)
    following = programme.grid().next_occurrences(at, 1)
    data["show"] = {"slug": slot.show, "title": slot.title, "kind": slot.kind} if slot else None
    by_kind: dict[str, SlotStatus] = {"live": "live", "music": "music"}
    data["status"] = "unscheduled" if slot is None else by_kind.get(slot.kind, "episode")
    data["slot_start"] = programme.iso_z(slot.start) if slot else None
    data["slot_end"] = programme.iso_z(slot.end) if slot else None
    data["next"] = (
        {"slug": following[0].show, "title": following[0].title,
         "start": programme.iso_z(following[0].start), "end": programme.iso_z(following[0].end)}
        if following else None
    )  # fmt: skip
    return data


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Progress:
    start: datetime
    end: datetime
    elapsed_min: int
    total_min: int


def progress(data: NowDocument, at: datetime) -> Progress | None:
    start, end = parse_iso(data.get("slot_start")), parse_iso(data.get("slot_end"))
    if start is None or end is None or end <= start or start.tzinfo is None:
        return None
    total = int((end - start).total_seconds() // 60)
    done = int(min(max((at - start).total_seconds(), 0), (end - start).total_seconds()) // 60)
    return Progress(start, end, done, max(total, 1))


@dataclass(frozen=True)
class Day:
    day: date
    occurrences: list[Occurrence]

    @property
    def name(self) -> str:
        return long_date(self.day)


def days(first: date, count: int) -> list[Day]:
    """Each local day's occurrences (those that start that day, or run into it)."""
    start, end = programme.day_bounds(first, count)
    found = programme.grid().expand(start, end)
    result = []
    for n in range(count):
        day = first + timedelta(days=n)
        lo, hi = programme.day_bounds(day)
        result.append(Day(day, [o for o in found if o.start < hi and o.end > lo]))
    return result


@bp.get("/schedule")
def schedule() -> str:
    """The week: kept until the grid changes or the minute turns (the whole page for a
    visitor without a session, the week itself for a person logged in)."""
    at = programme.now().replace(second=0, microsecond=0)
    first = _date_arg("from") or at.astimezone(programme.tz()).date()
    key = ("schedule", programme.grid().version(), programme.tz().key, first, at)

    def page() -> str:
        body = parts().get(key, lambda: _schedule_body(first, at))
        return render_template("schedule.html", body=body)

    if without_session():
        return parts().get((*key, services().settings.station_name), page)
    return page()


def _schedule_body(first: date, at: datetime) -> str:
    today = at.astimezone(programme.tz()).date()
    week = days(first, WEEK)
    return render_template(
        "_schedule.html",
        today=today,
        week=week,
        first=first,
        earlier=first - timedelta(days=WEEK),
        later=first + timedelta(days=WEEK),
        at=at,
        zone=programme.zone_label(at),
        tz=programme.tz(),
        layout=WeekGrid.of(week),
    )


def _date_arg(name: str) -> date | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"{name} must be a date like 2026-11-24, not {value!r}.")
    if not date(2000, 1, 1) <= day <= date(2199, 12, 24):
        abort(400, description=f"{name} must be a date between the years 2000 and 2199.")
    return day


def quarters(occ: Occurrence, day: date) -> tuple[int, int]:
    """The quarter hours of the local day ``[first, last)`` an occurrence covers on ``day``."""
    lo, hi = programme.day_bounds(day)
    zone = programme.tz()
    first = 0
    if occ.start > lo:
        start = occ.start.astimezone(zone)
        first = (start.hour * 60 + start.minute) // 15
    last = 96
    if occ.end < hi:
        end = occ.end.astimezone(zone)
        last = (end.hour * 60 + end.minute + 14) // 15
    return first, max(last, first + 1)


@dataclass(frozen=True)
class WeekGrid:
    """Where the week grid's items go: rows are quarter hours from ``first_hour``."""

    first_hour: int
    last_hour: int

    @classmethod
    def of(cls, week: list[Day]) -> WeekGrid:
        spans = [quarters(o, d.day) for d in week for o in d.occurrences]
        if not spans:
            return cls(6, 22)
        return cls(min(a for a, _ in spans) // 4, -(-max(b for _, b in spans) // 4))

    def rows(self, occ: Occurrence, day: date) -> str:
        first, last = quarters(occ, day)
        offset = self.first_hour * 4 - 1
        return f"{first - offset} / {last - offset}"

    @property
    def hours(self) -> range:
        return range(self.first_hour, self.last_hour)

    def hour_row(self, hour: int) -> int:
        return (hour - self.first_hour) * 4 + 1

    @property
    def quarter_count(self) -> int:
        return (self.last_hour - self.first_hour) * 4


@bp.get("/shows")
def shows() -> str:
    found = sorted(programme.grid().list_shows(), key=lambda s: s.title.casefold())
    today = programme.today()
    return render_template(
        "shows.html",
        shows=found,
        words={s.slug: [slot_words(slot, today) for slot in s.slots] for s in found},
        zone=programme.zone_label(),
    )


@bp.get("/shows/<slug>")
def show(slug: str) -> str:
    found = programme.grid().get_show(slug)
    if found is None:
        abort(404, description=f"There is no show called {slug!r}; the schedule lists them all.")
    at = programme.now()
    return render_template(
        "show.html",
        show=found,
        words=[slot_words(slot, programme.today()) for slot in found.slots],
        upcoming=upcoming(found, at),
        cancelled=cancelled(found, programme.today()),
        aired=programme.aired(found),
        zone=programme.zone_label(),
        tz=programme.tz(),
        long_date=long_date,
    )


def upcoming(show: Show, at: datetime, n: int = 6) -> list[Occurrence]:
    return [o for o in programme.grid().expand(at, at + AHEAD, show=show.slug) if o.end > at][:n]


def cancelled(show: Show, today: date) -> list[date]:
    grid = programme.grid().grid()
    return sorted(
        e.date for e in grid.exceptions if e.show == show.slug and e.action != "move"
        and e.date >= today and not (e.action == "replace" and e.replacement == show.slug)
    )  # fmt: skip


@bp.app_template_filter("hhmm")
def hhmm(at: datetime) -> str:
    """'19:00' in the station's zone."""
    return at.astimezone(programme.tz()).strftime("%H:%M")


@bp.app_template_filter("started_before")
def started_before(at: datetime, day: date) -> str:
    """'Sat ' when ``at`` falls on a local day before ``day`` (a show running past midnight,
    listed on the day it ends), else ''."""
    local = at.astimezone(programme.tz())
    return f"{local:%a} " if local.date() < day else ""


@bp.app_template_filter("iso_hhmm")
def iso_hhmm(value: str) -> str:
    """An ISO instant from the API as the station's wall clock: '19:00', or 'Tue 19:00'
    when it is not today."""
    at = parse_iso(value)
    if at is None or at.tzinfo is None:
        return value
    local = at.astimezone(programme.tz())
    if local.date() == programme.today():
        return local.strftime("%H:%M")
    return local.strftime("%a %H:%M")


@bp.app_template_filter("length_in_words")
def length_in_words(length: timedelta) -> str:
    """'36 seconds', '1 minute', '58 minutes', '1 hour 30 minutes'."""
    seconds = round(length.total_seconds())
    if seconds < 60:
        return f"{seconds} second{'s' * (seconds != 1)}"
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = [f"{hours} hour{'s' * (hours != 1)}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' * (minutes != 1)}")
    return " ".join(parts)


@bp.app_template_filter("isoz")
def isoz(at: datetime) -> str:
    return programme.iso_z(at)


@bp.app_template_filter("zone_abbrev")
def zone_abbrev(at: datetime) -> str:
    """'GMT' or 'BST': the station zone's name at ``at``."""
    return at.astimezone(programme.tz()).strftime("%Z")
