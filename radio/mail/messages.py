"""What the station's e-mails say: plain text in plain words (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def invitation(station: str, link: str, role: str) -> Mail:
    return Mail(
        f"Your invitation to {station}",
        f"Hello,\n\n"
        f"You have been invited to help run {station} as a {role}.\n\n"
        f"Choose your password here (the link works once, for 7 days):\n\n"
        f"{link}\n\n"
        f"If you were not expecting this, you can ignore this message.\n\n"
        f"-- {station}\n",
    )


def password_reset(station: str, link: str) -> Mail:
    return Mail(
        f"Set a new password for {station}",
        f"Hello,\n\n"
        f"Someone (we hope you) asked to set a new password for your account at {station}.\n\n"
        f"Choose your new password here (the link works once, for 24 hours):\n\n"
        f"{link}\n\n"
        f"If you did not ask for this, ignore this message: your password stays as it is.\n\n"
        f"-- {station}\n",
    )


def episode_reminder(station: str, title: str, local_start: datetime, link: str) -> Mail:
    when = _when(local_start)
    return Mail(
        f"No episode yet for {title} on {when}",
        f"Hello,\n\n"
        f"{title} airs on {when}, and no episode has been uploaded for it yet.\n\n"
        f"Please upload it here:\n\n{link}\n\n"
        f"If nothing is uploaded, the station plays music in the slot instead.\n\n"
        f"-- {station}\n",
    )


def empty_slot_note(station: str, title: str, local_start: datetime, link: str) -> Mail:
    when = _when(local_start)
    return Mail(
        f"{title} went out without its episode",
        f"Hello,\n\n"
        f"The slot of {title} on {when} had no episode, so music played instead.\n\n"
        f"The grid and what aired: {link}\n\n"
        f"-- {station}\n",
    )


def silence_note(station: str, local_start: datetime, detail: str, link: str) -> Mail:
    when = _when(local_start)
    return Mail(
        f"Silence on air at {when}",
        f"Hello,\n\n"
        f"The station went silent on air on {when}. {detail}\n\n"
        f"Please check what happened: {link}\n\n"
        f"-- {station}\n",
    )


def _when(local: datetime) -> str:
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def proposal_accepted(station: str, title: str, first: str, link: str) -> Mail:
    airs = f"It first airs on {first}.\n\n" if first else ""
    return Mail(
        f"{title} is in the programme of {station}",
        f"Hello,\n\n"
        f"Thank you for proposing {title}. Our volunteers said yes: it is in the programme "
        f"now, and you are its presenter. {airs}"
        f"Choose your password and upload your episodes here (the link works once, for "
        f"7 days; if you already have an account, just log in):\n\n{link}\n\n"
        f"-- {station}\n",
    )


def proposal_declined(station: str, title: str, reason: str) -> Mail:
    return Mail(
        f"Your proposal for {title}",
        f"Hello,\n\n"
        f"Thank you for proposing {title}. Our volunteers decided not to take it into the "
        f"programme this time. Their reason:\n\n{reason}\n\n"
        f"You are welcome to propose again when new slots are open.\n\n"
        f"-- {station}\n",
    )
