"""Feeds for other programs: calendars, podcasts and playlists for media players."""

# The podcast feed is written with the standard library's ElementTree on purpose, not feedgen:
# feedgen 1.0.0 (its last release, December 2023) refuses itunes:explicit "false" (it knows only
# the retired yes/no/clean), stamps lastBuildDate with the time of each request (a new ETag
# every time) and would bring lxml into the web process (about 5 MiB). The feed is held to the
# RSS 2.0 and Apple Podcasts rules by tests/web/test_podcast_rules.py instead.

from __future__ import annotations

import hashlib
from datetime import timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, request, send_file

from radio.grid.model import Occurrence, Show
from radio.media.published import PublishedEpisode
from radio.relay import stream_urls
from web import ical, programme, services
from web.address import absolute, external, site_url
from web.wording import slot_words

bp = Blueprint("feeds", __name__)

#: Clock-change overrides are worked out this far back and ahead of today.
CAL_BEHIND, CAL_AHEAD = timedelta(days=92), timedelta(days=550)
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("atom", ATOM)


def _cached(body: bytes, mimetype: str, max_age: int, **headers: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.update(headers)
    response.set_etag(hashlib.sha1(body).hexdigest()[:20])
    response.make_conditional(request)
    return response


def _calendar(shows: list[Show], name: str, filename: str) -> Response:
    today = programme.today()
    show_url = external("public.show", slug="SLUG").replace("SLUG", "{slug}")
    body = ical.build(
        programme.grid().grid(),
        shows,
        programme.tz(),
        name=name,
        host=urlsplit(site_url()).hostname or "localhost",
        show_url=show_url,
        stamp=programme.now().replace(minute=0, second=0, microsecond=0),
        window=(today - CAL_BEHIND, today + CAL_AHEAD),
    )
    # DTSTAMP is the hour, so the ETag holds for an hour unless the grid changes.
    response = _cached(body, "text/calendar", 900)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.mimetype_params["charset"] = "utf-8"
    return response


@bp.get("/schedule.ics")
def schedule_ics() -> Response:
    station = services().settings.station_name
    return _calendar(programme.grid().list_shows(), station, "schedule.ics")


@bp.get("/shows/<slug>.ics")
def show_ics(slug: str) -> Response:
    show = _show(slug)
    station = services().settings.station_name
    return _calendar([show], f"{show.title} — {station}", f"{slug}.ics")


def _show(slug: str) -> Show:
    found = programme.grid().get_show(slug)
    if found is None:
        abort(404, description=f"There is no show called {slug!r}.")
    return found


@bp.get("/shows/<slug>/podcast.xml")
def podcast(slug: str) -> Response:
    show = _show(slug)
    body = podcast_xml(show, programme.aired(show, limit=200))
    return _cached(body, "application/rss+xml", 900)


@bp.get("/episodes/<occurrence_id>/audio")
def episode_audio(occurrence_id: str) -> Response:
    """An aired episode's audio (Range requests work, for seeking)."""
    occ = programme.grid().find_occurrence(occurrence_id)
    found = programme.episodes().audio(occurrence_id) if occ else None
    if occ is None or occ.end > programme.now() or found is None:
        abort(404, description="There is no episode to listen to for that programme (yet).")
    path, mime = found
    response = send_file(path, mimetype=mime, conditional=True, max_age=86400)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def podcast_xml(show: Show, aired: list[tuple[Occurrence, PublishedEpisode]]) -> bytes:
    """RSS 2.0 with the podcast (iTunes) tags: one item per aired, published episode."""
    station = services().settings.station_name
    page = external("public.show", slug=show.slug)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", show.title)
    _text(channel, "link", page)
    words = "; ".join(slot_words(s) for s in show.slots)
    about = show.description or f"{show.title} on {station}."
    _text(channel, "description", f"{about} On air: {words}." if words else about)
    _text(channel, "language", "en-gb")
    _text(channel, "generator", "community-radio")
    feed = external("feeds.podcast", slug=show.slug)
    ET.SubElement(
        channel, f"{{{ATOM}}}link", {"href": feed, "rel": "self", "type": "application/rss+xml"}
    )
    _text(channel, f"{{{ITUNES}}}author", ", ".join(show.presenters) or station)
    _text(channel, f"{{{ITUNES}}}explicit", "false")
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": show.category or "Music"})
    for occ, ep in aired:
        item = ET.SubElement(channel, "item")
        day = occ.start.astimezone(programme.tz())
        _text(item, "title", ep.title or f"{show.title}, {day:%d %B %Y}")
        _text(item, "link", page)
        _text(item, "description", ep.notes or f"{show.title} as broadcast on {day:%A %d %B %Y}.")
        _text(item, "guid", occ.id, isPermaLink="false")
        _text(item, "pubDate", format_datetime(occ.end))
        ET.SubElement(
            item,
            "enclosure",
            {
                "url": absolute(programme.audio_url(ep)),
                "length": str(ep.size_bytes or 0),
                "type": ep.mime_type,
            },
        )
        if ep.duration is not None:
            _text(item, f"{{{ITUNES}}}duration", str(int(ep.duration.total_seconds())))
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True))


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _streams() -> list[tuple[str, str]]:
    """Each relay's mounts first (``relays``), then the station's own Icecast's."""
    settings = services().settings
    name = settings.station_name
    found = []
    for mount, kind in (("/stream.mp3", "MP3"), ("/stream.ogg", "Ogg")):
        found += [
            (url, f"{name} ({kind})")
            for url in stream_urls(settings.stream_url, settings.relays, mount)
        ]
    return found


@bp.get("/listen.m3u")
def listen_m3u() -> Response:
    lines = ["#EXTM3U"]
    for url, title in _streams():
        lines += [f"#EXTINF:-1,{title}", url]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return _cached(
        body, "audio/x-mpegurl", 3600, **{"Content-Disposition": 'inline; filename="listen.m3u"'}
    )


@bp.get("/listen.pls")
def listen_pls() -> Response:
    streams = _streams()
    lines = ["[playlist]", f"NumberOfEntries={len(streams)}"]
    for n, (url, title) in enumerate(streams, 1):
        lines += [f"File{n}={url}", f"Title{n}={title}", f"Length{n}=-1"]
    lines.append("Version=2")
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return _cached(
        body, "audio/x-scpls", 3600, **{"Content-Disposition": 'inline; filename="listen.pls"'}
    )
