"""The podcast feed held to the rules that podcast directories apply, read from the raw bytes.

feedparser (``test_feeds.py``) forgives a lot, as podcast apps do; the RSS 2.0 specification
and Apple's podcast requirements do not. :func:`problems` reads the bytes the site serves
with a strict XML parser and lists every rule they break:

- RSS 2.0: one ``<rss version="2.0">`` with one ``<channel>``; the channel's ``title``,
  ``link`` and ``description`` once each and not empty; only elements the specification
  defines; dates in RFC 822 form with a zone; an ``enclosure`` has ``url``, a byte ``length``
  and a ``type``; a ``guid`` that is not a link says ``isPermaLink="false"``.
- Apple Podcasts: ``language``, ``itunes:author``, ``itunes:category text=...`` and
  ``itunes:explicit`` that is ``true`` or ``false`` (no longer yes/no/clean); each episode has
  a title, one audio enclosure, a guid unique in the feed and an ``itunes:duration`` in
  seconds or ``[H:]MM:SS``.
- This station: ``atom:link rel="self"`` is the feed's own address, and every link starts
  with the site's configured address (never the request's ``Host``).

A feed must also come back byte for byte the same while nothing changed, so its ETag holds
and a podcast app's conditional request gets a 304.

Not checked yet: ``itunes:image`` (Apple requires artwork, and the station has no artwork
setting) and whether a show's free-text category is one of Apple's category names.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import pytest

from tests.web.listeners import NOW, ListenerStation
from tests.web.listeners import listener_station_fixture as listener_station_fixture

station = listener_station_fixture

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
ATOM = "{http://www.w3.org/2005/Atom}"
RSS_CHANNEL = {
    "title", "link", "description", "language", "copyright", "managingEditor", "webMaster",
    "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image",
    "rating", "textInput", "skipHours", "skipDays", "item",
}  # fmt: skip
RSS_ITEM = {
    "title", "link", "description", "author", "category", "comments", "enclosure", "guid",
    "pubDate", "source",
}  # fmt: skip
ITUNES_CHANNEL = {
    "author", "explicit", "category", "image", "type", "owner", "complete", "new-feed-url",
    "block", "title",
}  # fmt: skip
ITUNES_ITEM = {"duration", "explicit", "image", "episode", "season", "episodeType", "title"}
RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d\d:\d\d:\d\d [+-]\d{4}"
)
DURATION = re.compile(r"\d+|(\d+:)?[0-5]?\d:[0-5]\d")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", re.IGNORECASE)


def problems(body: bytes, *, feed_url: str, site: str, now: datetime) -> list[str]:
    """Every RSS 2.0 / Apple Podcasts rule that ``body`` breaks, in words."""
    found: list[str] = []
    declaration = body.split(b"?>", 1)[0]
    if not re.match(rb"<\?xml version=.1\.0. encoding=.utf-8.", declaration, re.IGNORECASE):
        found.append("no XML declaration saying UTF-8")
    rss = ET.fromstring(body)
    if rss.tag != "rss" or rss.get("version") != "2.0":
        found.append(f"root is <{rss.tag} version={rss.get('version')!r}>, not RSS 2.0")
    channels = rss.findall("channel")
    if len(channels) != 1:
        return [*found, f"{len(channels)} channels"]
    channel = channels[0]

    found += _unknown(channel, "channel", RSS_CHANNEL, ITUNES_CHANNEL, {"link"})
    for name in ("title", "link", "description"):
        texts = [e.text for e in channel.findall(name)]
        if len(texts) != 1 or not (texts[0] or "").strip():
            found.append(f"channel needs one non-empty <{name}>, has {texts!r}")
    found += _link("channel link", channel.findtext("link"), site)
    if not LANGUAGE.fullmatch(channel.findtext("language") or ""):
        found.append(f"channel language {channel.findtext('language')!r}")
    selves = [e for e in channel.findall(f"{ATOM}link") if e.get("rel") == "self"]
    if [(e.get("href"), e.get("type")) for e in selves] != [(feed_url, "application/rss+xml")]:
        found.append(f"atom:link self is {[e.attrib for e in selves]}, not {feed_url}")
    if not (channel.findtext(f"{ITUNES}author") or "").strip():
        found.append("no itunes:author")
    categories = [c.get("text") for c in channel.findall(f"{ITUNES}category")]
    if not categories or not all(categories):
        found.append(f"itunes:category texts {categories!r}")
    explicit = [e.text for e in channel.findall(f"{ITUNES}explicit")]
    if explicit not in (["true"], ["false"]):
        found.append(f"channel itunes:explicit {explicit!r}, not one of true/false")
    guids: set[str] = set()
    for n, item in enumerate(channel.findall("item"), 1):
        found += [f"item {n}: {p}" for p in _item(item, guids, site, now)]
    return found


def _unknown(
    parent: ET.Element, where: str, rss: set[str], itunes: set[str], atom: set[str]
) -> list[str]:
    found = []
    for child in parent:
        ns, _, name = child.tag.rpartition("}")
        allowed = {"": rss, ITUNES[1:-1]: itunes, ATOM[1:-1]: atom}.get(ns[1:], set())
        if name not in allowed:
            found.append(f"{where} has <{child.tag}>, which no specification defines there")
    return found


def _link(where: str, url: str | None, site: str) -> list[str]:
    if url and url.startswith(site + "/"):
        return []
    return [f"{where} {url!r} is not an absolute link on {site}"]


def _item(item: ET.Element, guids: set[str], site: str, now: datetime) -> list[str]:
    found = _unknown(item, "item", RSS_ITEM, ITUNES_ITEM, set())
    if not (item.findtext("title") or "").strip():
        found.append("no title")
    if item.find("link") is not None:
        found += _link("item link", item.findtext("link"), site)
    enclosures = item.findall("enclosure")
    if len(enclosures) != 1:
        return [*found, f"{len(enclosures)} enclosures"]
    enclosure = enclosures[0]
    found += _link("enclosure", enclosure.get("url"), site)
    length = enclosure.get("length") or ""
    if not length.isdigit() or int(length) == 0:
        found.append(f"enclosure length {length!r} is not a size in bytes")
    if not re.fullmatch(r"(audio|video)/[\w.+-]+", enclosure.get("type") or ""):
        found.append(f"enclosure type {enclosure.get('type')!r}")
    guid = item.find("guid")
    if guid is None or not guid.text:
        found.append("no guid")
    else:
        if guid.get("isPermaLink", "true") != "false" and not guid.text.startswith("http"):
            found.append(f"guid {guid.text!r} is not a link but does not say isPermaLink=false")
        if guid.text in guids:
            found.append(f"guid {guid.text!r} repeats")
        guids.add(guid.text)
    date = item.findtext("pubDate") or ""
    if not RFC822.fullmatch(date):
        found.append(f"pubDate {date!r} is not RFC 822")
    elif parsedate_to_datetime(date) > now:
        found.append(f"pubDate {date!r} is in the future")
    duration = item.findtext(f"{ITUNES}duration")
    if duration is None or not DURATION.fullmatch(duration):
        found.append(f"itunes:duration {duration!r}")
    explicit = item.findtext(f"{ITUNES}explicit")
    if explicit is not None and explicit not in ("true", "false"):
        found.append(f"item itunes:explicit {explicit!r}")
    return found


def fetch(station: ListenerStation, slug: str) -> tuple[bytes, list[str]]:
    site = station.services.settings.site_url
    url = f"{site}/shows/{slug}/podcast.xml"
    response = station.client().get(f"/shows/{slug}/podcast.xml")
    assert response.status_code == 200
    return response.data, problems(response.data, feed_url=url, site=site, now=NOW)


@pytest.mark.parametrize("slug", ["jazz-night", "morning-show", "friday-late"])
def test_the_podcast_keeps_the_rss_and_podcast_rules(station: ListenerStation, slug: str) -> None:
    # Jazz Night has two aired episodes; the Morning Show's description has "&" and "<...>".
    assert fetch(station, slug)[1] == []


def test_the_rules_catch_what_directories_refuse(station: ListenerStation) -> None:
    """The checker is not vacuous: a feed with the usual mistakes is reported, rule by rule."""
    body, _ = fetch(station, "jazz-night")
    site = station.services.settings.site_url
    broken = (
        body.replace(b"<itunes:explicit>false<", b"<itunes:explicit>no<")
        .replace(b' isPermaLink="false"', b"", 1)
        .replace(f'url="{site}/episodes'.encode(), b'url="/episodes', 1)
        .replace(b"<pubDate>Tue, 10 Nov 2026", b"<pubDate>2026-11-10", 1)
        .replace(b"<itunes:duration>3540<", b"<itunes:duration>59 min<", 1)
        .replace(b"<language>", b"<lang>en</lang><language>")
    )
    found = problems(broken, feed_url=f"{site}/shows/jazz-night/podcast.xml", site=site, now=NOW)
    assert found == [
        "channel has <lang>, which no specification defines there",
        "channel itunes:explicit ['no'], not one of true/false",
        "item 1: enclosure '/episodes/jazz-night.main.2026-11-10/audio' is not an absolute link"
        f" on {site}",
        "item 1: guid 'jazz-night.main.2026-11-10' is not a link but does not say"
        " isPermaLink=false",
        "item 1: pubDate '2026-11-10 20:00:00 +0000' is not RFC 822",
        "item 1: itunes:duration '59 min'",
    ]


def test_the_podcast_answers_conditional_requests(station: ListenerStation) -> None:
    client = station.client()
    url = "/shows/jazz-night/podcast.xml"
    first = client.get(url)
    station.clock[0] += timedelta(minutes=5)  # nothing aired meanwhile: same bytes, same ETag
    second = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=900"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
