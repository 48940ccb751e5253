"""Backups of the whole station into a restic repository, and restores into a new folder.

``snapshot`` lays out what a backup keeps, ``restic`` runs the backup program, ``service``
puts them together (``radio backup``, ``radio restore`` and the nightly job).
"""
