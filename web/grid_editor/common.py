"""What the grid editor's views share: the services, recording a change, time formats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import Flask
from flask_wtf import FlaskForm

from radio.changelog import ChangeLog
from radio.errors import GridConflict, GridError, NotFound
from radio.grid.clock import local_midnight
from radio.grid.service import GridService
from radio.grid.validate import InvalidGrid
from web import grid as station_grid
from web import services
from web.auth import me, now

T = TypeVar("T")


def grid() -> GridService:
    """The grid service (see :func:`web.grid`)."""
    return station_grid()


def changelog() -> ChangeLog:
    return services().changelog


def record(what: str, *, show: str = "", reason: str | None = "") -> None:
    account = me()
    changelog().record(at=now(), who=account.public_name, what=what, reason=reason or "", show=show)


class Clash(str):
    """A refusal that is a clash with another airing (answered 409 rather than 422)."""

    __slots__ = ()


def attempt(change: Callable[[], T], errors: list[str]) -> T | None:
    """Run a grid edit; on a refusal put its sentences in ``errors`` and return None."""
    try:
        return change()
    except InvalidGrid as exc:
        errors.extend(exc.problems)
    except GridConflict as exc:
        errors.append(Clash(exc))
    except (GridError, NotFound) as exc:
        errors.append(str(exc))
    return None


def refused_status(errors: list[str]) -> int:
    """409 when a refusal is a clash (the kind travels with the sentence), else 422."""
    return 409 if any(isinstance(e, Clash) for e in errors) else 422


def refused(form: FlaskForm) -> int:
    """The status of a form sent back: 409 for a clash, else 422."""
    if any(field.errors for field in form):
        return 422
    return refused_status(form.form_errors)


def today() -> date:
    return now().astimezone(services().settings.tz).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_day_bounds(day: date, days: int = 1) -> tuple[datetime, datetime]:
    tz = services().settings.tz
    return local_midnight(day, tz), local_midnight(day + timedelta(days=days), tz)


def when(at: datetime) -> str:
    """'Tue 24 Nov 2026, 09:00' in the station's zone."""
    local = at.astimezone(services().settings.tz)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def init_filters(app: Flask) -> None:
    def local(at: datetime, fmt: str = "%H:%M") -> str:
        return at.astimezone(services().settings.tz).strftime(fmt)

    def day_name(day: date) -> str:
        return f"{day:%A} {day.day} {day:%B}"

    def minutes(delta: timedelta) -> str:
        """'1 h 30 min', '58 min'; under a minute in seconds ('36 s'), never '0 min'."""
        seconds = round(delta.total_seconds())
        if seconds < 60:
            return f"{seconds} s"
        hours, mins = divmod(round(seconds / 60), 60)
        if hours and mins:
            return f"{hours} h {mins} min"
        return f"{hours} h" if hours else f"{mins} min"

    filters: dict[str, Callable[..., str]] = {
        "local": local,
        "day_name": day_name,
        "duration": minutes,
        "when": when,
    }
    app.jinja_env.filters.update(filters)

    @app.context_processor
    def _zone() -> dict[str, str]:
        return {"station_tz": services().settings.timezone.replace("_", " ")}
