"""The off-air logger: everything that went out, kept for ``logger_keep_days``.

Liquidsoap writes the station's output into files of ``logger_file_seconds`` through
:mod:`radio.logger.writer`; :mod:`radio.logger.files` reads them back (coverage, gaps,
retention, health), :mod:`radio.logger.export` cuts any range into one file, and
:mod:`radio.logger.listen_again` makes each live show an episode of its slot.
"""
