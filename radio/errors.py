"""The station's errors: one small hierarchy, each carrying a sentence fit for a user."""

from __future__ import annotations


class RadioError(Exception):
    """Base of every error the station reports to a person.

    ``str(err)`` is one clear sentence: what was wrong and what to do.
    """


class ConfigError(RadioError):
    """The settings, the data folder or the machine cannot run the station."""


class GridError(RadioError):
    """A programme grid (file or edit) is invalid."""


class GridConflict(GridError):
    """An edit would make two occurrences overlap."""


class MediaRejected(RadioError):
    """An uploaded or imported file cannot go on air."""


class PlayoutError(RadioError):
    """Liquidsoap or Icecast did not do what was asked."""


class LiquidsoapError(PlayoutError):
    """The Liquidsoap control socket is unreachable or answered unexpectedly."""


class NotFound(RadioError):
    """A named thing (show, media item, occurrence) does not exist."""


class DatabaseError(RadioError):
    """The database is newer than this code, or its upgrade failed (and was undone)."""


class BackupError(RadioError):
    """A backup or a restore could not be made (restic, its repository, the target)."""


class LoggerError(RadioError):
    """The off-air logger cannot hand over what was asked (outside retention, not recorded)."""
