"""The programme grid: recurring shows, one-off exceptions, clock changes and conflicts.

The domain is pure (no database, no clock, no files): frozen dataclasses and functions that
take the instant they are about as a parameter.

========================  ==================================================================
``model``                 Show, Slot (+ patterns Once, Weekly, MonthlyWeekday, MonthlyDay),
                          SlotException, Grid, Occurrence, Gap, occurrence ids
``recurrence``            the local dates a slot falls on
``clock``                 wall-clock time to UTC: the clock-change policy
``expand``                ``expand(grid, tz, start, end) -> list[Occurrence]``
``timeline``              ``scheduled_at``, ``next_occurrences``, ``gaps``, :class:`Timeline`
``conflicts``             overlaps of a grid or of one edit, and the messages for them
``validate``              whole-grid checks; :class:`InvalidGrid` (one sentence per problem)
``edits``                 edits as pure functions (``Edit.add_slot(...)`` …)
``tomlfile``              ``load(fp, source) -> Grid`` and ``dump(grid, fp)``
``reader``, ``textforms`` how the file's tables and values become domain objects
``store``                 SQLAlchemy tables (``grid_shows``, ``grid_slots``, …)
``service``               :class:`GridService`: the stored grid for everyone else
========================  ==================================================================

Using it from playout, media or the web (build it once, e.g. in bootstrap)::

    from radio.grid.service import GridService

    grid = GridService(db, settings.tz)                 # db: radio.db.Database
    grid.seed_if_empty(settings.demo_schedule)          # -> bool; `radio run` calls this

    grid.expand(start_utc, end_utc, show=None)          # -> list[Occurrence], by start
    grid.scheduled_at(at_utc)                           # -> Occurrence | None
    grid.next_occurrences(after_utc, n)                 # -> list[Occurrence] (start > after)
    grid.gaps(start_utc, end_utc)                       # -> list[Gap] for the rotation
    grid.find_occurrence("morning-coffee.r1.2026-11-24")  # -> Occurrence | None
    grid.get_show(slug) / grid.list_shows()             # -> Show | None / list[Show]
    grid.import_grid(fp, source) / grid.export_grid(fp)  # TOML text streams
    grid.save_show(show); grid.remove_show(slug)
    grid.add_show(show); grid.save_details(show)        # refused if taken / keeps its slots
    grid.add_slot(slug, slot); grid.change_slot(slug, slot); grid.remove_slot(slug, slot_id)
    grid.add_new_slot(slug, slot)                       # -> (Grid, Slot) numbered as it is added
    grid.add_exception(SlotException(...)); grid.remove_exception(occurrence_id)
    grid.apply(edit, within=fn)                         # fn(session) in the same transaction
    grid.try_edit(edit)                                 # refuse as apply would, save nothing
    grid.grid()                                         # -> Grid (cached, reloaded on change)

Instants are aware UTC datetimes; windows are half-open ``[start, end)``. An
:class:`Occurrence` has ``id``, ``show`` (slug), ``title``, ``kind`` (``prerecorded``, ``live``
or ``music``), ``start``/``end`` (UTC), ``local_start`` (station zone), ``slot``, ``date`` (the
slot's local date), ``slot_show`` and ``change`` (None, ``"moved"`` or ``"replaced"``).
Its id ``show.slot.YYYY-MM-DD`` never changes, even when the occurrence is moved or another
show is put in. Edits raise :class:`~radio.errors.GridConflict` (naming the other show and the
first clashing local date and time), :class:`InvalidGrid` or :class:`~radio.errors.NotFound`,
and leave the stored grid as it was.
"""

from radio.grid.model import (
    Gap,
    Grid,
    Kind,
    MonthlyDay,
    MonthlyWeekday,
    Occurrence,
    Once,
    Show,
    Slot,
    SlotException,
    Weekly,
    occurrence_id,
    parse_occurrence_id,
)

__all__ = [
    "Gap",
    "Grid",
    "Kind",
    "MonthlyDay",
    "MonthlyWeekday",
    "Occurrence",
    "Once",
    "Show",
    "Slot",
    "SlotException",
    "Weekly",
    "occurrence_id",
    "parse_occurrence_id",
]
