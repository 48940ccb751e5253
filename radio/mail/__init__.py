"""The station's e-mail: an outbox in the database, sent through an SMTP server.

Messages (invitations, reset links, reminders to presenters, notes to volunteers) are
queued in the ``outbox`` table and sent by the scheduler process, with retries and a
growing wait while the mail server is unreachable; a message is marked sent only after the
server accepted it, so nothing is lost when the server is down or the station stops.
"""
