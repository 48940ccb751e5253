"""Media: episode upload, analysis and the station library.

* :mod:`~radio.media.library` — :class:`MediaLibrary`, the one ingest (web and CLI) and
  what playout reads back (:meth:`MediaLibrary.episode_for`, :class:`Playable`);
* :mod:`~radio.media.uploads` — resumable upload sessions and :func:`sweep_temporary`;
* :mod:`~radio.media.probe`, :mod:`~radio.media.names`, :mod:`~radio.media.tags` — what a
  file is, by content; its name and tags, cleaned;
* :mod:`~radio.media.analysis` — one decode measures length, loudness
  (:mod:`~radio.media.loudness`), true peak (:mod:`~radio.media.truepeak`), cues and the
  waveform's levels (:mod:`~radio.media.waveform`), all reading :mod:`~radio.media.pcm`;
* :mod:`~radio.media.episodes` — the grid lookup protocol and the slot-length check;
* :mod:`~radio.media.store` — the tables.
"""
