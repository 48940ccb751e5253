"""The site's forms (Flask-WTF): every one carries a CSRF token.

Fields are named as people would say them; the views turn them into engine objects and
show the engine's one-sentence errors on the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from radio.accounts.model import MAX_PASSWORD, MIN_PASSWORD, ROLE_NAMES, ROLES
from radio.errors import GridError
from radio.grid.model import MonthlyDay, MonthlyWeekday, Once, Pattern, Slot, Weekly


def choices(pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms' choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (easier than a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_CHOICES = [(role, ROLE_NAMES[role]) for role in ROLES]
_PASSWORD_HELP = f"At least {MIN_PASSWORD} characters. A few words you will remember work well."


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=f"A password needs at least {MIN_PASSWORD} characters "
                f"(and at most {MAX_PASSWORD}).",
            ),
        ],
        description=_PASSWORD_HELP,
    )
    confirm = PasswordField(
        "The same password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ConfirmForm(FlaskForm):
    """A button and nothing else (log out, regenerate a key): only the CSRF token."""


class InviteForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", choices=choices(ROLE_CHOICES), default="presenter")
    shows = CheckboxesField("Shows (for presenters)", choices=[])


class AccountForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", choices=choices(ROLE_CHOICES))
    shows = CheckboxesField("Shows (for presenters)", choices=[])
    disabled = BooleanField("Disabled (cannot log in)")


class StationSettingsForm(FlaskForm):
    station_name = StringField("Station name", validators=[Optional(), Length(max=120)])
    timezone = StringField(
        "Time zone", validators=[Optional(), Length(max=60)], description="e.g. Europe/London"
    )
    public_stream_url = StringField(
        "Public stream address",
        validators=[Optional(), Length(max=300)],
        description="Where listeners reach Icecast, e.g. https://stream.example.org",
    )
    live_server = StringField(
        "Live server host name",
        validators=[Optional(), Length(max=200)],
        description="The host presenters' streaming software connects to.",
    )


# The grid editor ---------------------------------------------------------------------------

KIND_CHOICES = [
    ("prerecorded", "Prerecorded (an uploaded episode)"),
    ("live", "Live (a presenter streams in)"),
    ("music", "Music (from the rotation)"),
]
REPEAT_CHOICES = [
    ("weekly", "Every week or every few weeks"),
    ("monthly-weekday", "A weekday of each month (e.g. last Friday)"),
    ("monthly-day", "A date of each month (e.g. the 15th)"),
    ("once", "Once"),
]
WEEKDAY_CHOICES = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
EVERY_CHOICES = [("1", "every week"), ("2", "every other week (fortnightly)")] + [
    (str(n), f"every {n} weeks") for n in range(3, 9)
]
NTH_CHOICES = [("1", "first"), ("2", "second"), ("3", "third"), ("4", "fourth"), ("-1", "last")]
_REASON = "Why (optional, shown on the public change log)"


class ShowForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Web address name",
        validators=[Optional(), Length(max=60)],
        description="Lower-case letters, digits and hyphens, e.g. morning-coffee. "
        "Left empty, it is made from the title.",
    )
    kind = SelectField("Kind", choices=choices(KIND_CHOICES), default="prerecorded")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    presenters = StringField(
        "Presenters' names as listeners see them",
        validators=[Optional(), Length(max=500)],
        description="Separated by commas.",
    )
    category = StringField("Category", validators=[Optional(), Length(max=80)])
    colour = StringField(
        "Colour", validators=[Optional(), Length(max=7)], description="e.g. #1f77b4"
    )
    repeat_latest = BooleanField("Replay the latest episode when there is no new one")
    listen_again = BooleanField(
        "Publish each live show's recording for listening again as soon as it is made",
        description="Live shows only; otherwise its presenters publish each one.",
    )
    reminders = BooleanField(
        "E-mail the presenters when an episode is missing a few days before",
        default=True,
        description="Only when the station sends e-mail.",
    )
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class SlotFields(FlaskForm):
    """When a show airs: one slot rule."""

    repeat = SelectField("Repeats", choices=choices(REPEAT_CHOICES), default="weekly")
    days = CheckboxesField("On", choices=choices(WEEKDAY_CHOICES))
    every = SelectField("How often", choices=choices(EVERY_CHOICES), default="1")
    nth = SelectField("Which one in the month", choices=choices(NTH_CHOICES), default="1")
    weekday = SelectField("Weekday", choices=choices(WEEKDAY_CHOICES), default="0")
    day = IntegerField("Date of the month", validators=[Optional(), NumberRange(1, 31)])
    start = TimeField("Starts at", validators=[DataRequired()])
    minutes = IntegerField(
        "Length in minutes", validators=[DataRequired(), NumberRange(1, 24 * 60)]
    )
    first = DateField(
        "First date", validators=[DataRequired()], description="The date of the first airing."
    )
    last = DateField("Last date", validators=[Optional()], description="Empty: no end.")


class NewShowForm(ShowForm, SlotFields):
    """A new show and its first slot, saved together (or not at all)."""


class SlotForm(SlotFields):
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class OccurrenceForm(FlaskForm):
    # Nothing is chosen until the person chooses: cancelling a show must be deliberate.
    action = SelectField(
        "Change",
        choices=choices(
            [
                ("", "Choose what to change…"),
                ("cancel", "Cancel this one"),
                ("move", "Move it (new start or length)"),
                ("replace", "Put another show in"),
                ("restore", "Undo the change: air it as usual"),
            ]
        ),
        validate_choice=False,  # no choice, or an unknown one: "Choose what to change."
    )
    start = DateTimeLocalField(
        "New start", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    minutes = IntegerField(
        "New length in minutes", validators=[Optional(), NumberRange(1, 24 * 60)]
    )
    replacement = SelectField("Show that airs instead", choices=[], validate_choice=False)
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class PresentersForm(FlaskForm):
    accounts = CheckboxesField("Presenters who can upload and go live", choices=[])
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class PlaylistForm(FlaskForm):
    entries = CheckboxesField("Files", choices=[], validate_choice=False)
    #: The playlist's entries as the page showed them, a JSON list: only these can be
    #: unticked, so a file an upload added meanwhile stays.
    shown = HiddenField()
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class RemoveForm(FlaskForm):
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class EpisodeForm(FlaskForm):
    title = StringField("Episode title", validators=[Optional(), Length(max=200)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])


class RecordingForm(FlaskForm):
    """A live show's listen-again recording: its trims, and whether listeners hear it."""

    trim_start = FloatField(
        "Seconds to leave out at the start", validators=[InputRequired(), NumberRange(min=0)]
    )
    trim_end = FloatField(
        "Seconds to leave out at the end", validators=[InputRequired(), NumberRange(min=0)]
    )
    published = BooleanField("Published: on the show's page and in its podcast")


# Between the forms and the grid's slots --------------------------------------------------


def slot_from_form(form: SlotFields, slot_id: str) -> Slot:
    """The :class:`Slot` a filled slot form describes; :class:`GridError` if it makes none."""
    start, first = form.start.data, form.first.data
    if start is None or first is None or not form.minutes.data:
        raise GridError("A slot needs a start time, a length and a first date.")
    duration = timedelta(minutes=form.minutes.data)
    start = start.replace(second=0, microsecond=0)
    last = form.last.data
    repeat = form.repeat.data
    if repeat == "once":
        return Slot.once(slot_id, first, start, duration)
    pattern: Pattern
    if repeat == "weekly":
        days = tuple(sorted({int(d) for d in form.days.data or []}))
        if not days:
            raise GridError("Tick at least one weekday for a weekly slot.")
        pattern = Weekly(days, int(form.every.data or 1))
    elif repeat == "monthly-weekday":
        pattern = MonthlyWeekday(int(form.nth.data or 1), int(form.weekday.data or 0))
    elif repeat == "monthly-day":
        if not form.day.data:
            raise GridError("Give the date of the month (1 to 31).")
        pattern = MonthlyDay(form.day.data)
    else:
        raise GridError("Choose how the slot repeats.")
    return Slot(slot_id, pattern, start, duration, first, last)


def fill_slot_form(form: SlotFields, slot: Slot) -> None:
    """Put a slot's values into a form shown for editing it."""
    p = slot.pattern
    if isinstance(p, Once):
        form.repeat.data = "once"
    elif isinstance(p, Weekly):
        form.repeat.data = "weekly"
        form.days.data = [str(d) for d in p.days]
        form.every.data = str(p.every)
    elif isinstance(p, MonthlyWeekday):
        form.repeat.data = "monthly-weekday"
        form.nth.data, form.weekday.data = str(p.nth), str(p.weekday)
    else:
        form.repeat.data, form.day.data = "monthly-day", p.day
    form.start.data = slot.start
    form.minutes.data = int(slot.duration.total_seconds() // 60)
    form.first.data = slot.first
    form.last.data = None if isinstance(p, Once) else slot.last


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def slot_words(slot: Slot) -> str:
    """'Every other Tuesday, 19:00–20:00' — a slot rule in words."""
    end = (datetime.combine(slot.first, slot.start) + slot.duration).time()
    hours = f"{slot.start:%H:%M}–{end:%H:%M}"
    p = slot.pattern
    if isinstance(p, Once):
        return f"{slot.first:%A} {slot.first.day} {slot.first:%B %Y}, {hours}"
    if isinstance(p, Weekly):
        names = [_DAY_NAMES[d] for d in p.days]
        days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        every = {1: "Every", 2: "Every other"}.get(p.every, f"Every {p.every} weeks on")
        rule = f"{every} {days}"
    elif isinstance(p, MonthlyWeekday):
        rule = f"The {_NTH[p.nth]} {_DAY_NAMES[p.weekday]} of the month"
    else:
        rule = f"Day {p.day} of each month"
    since = f" from {slot.first:%d %b %Y}"
    until = f" until {slot.last:%d %b %Y}" if slot.last else ""
    return f"{rule}, {hours}{since}{until}"


# Open slots and show proposals ---------------------------------------------------------------


class OpenSlotForm(SlotFields):
    wanted = TextAreaField(
        "What the station is looking for",
        validators=[Optional(), Length(max=1000)],
        description="Shown on the public “Get involved” page, e.g. “Music from the "
        "neighbourhood, in any language”.",
    )
    reason = StringField(_REASON, validators=[Optional(), Length(max=500)])


class ProposalForm(FlaskForm):
    """A stranger's proposal. Lengths are checked by the engine (one sentence each)."""

    title = StringField("Title of the show")
    about = TextAreaField("What is it about?")
    kind = SelectField(
        "Live or prerecorded?",
        choices=choices(
            [
                ("", "Choose…"),
                ("prerecorded", "Prerecorded: I send the episodes"),
                ("live", "Live: I come to the studio or stream from home"),
            ]
        ),
        validate_choice=False,
    )
    slots = CheckboxesField("Which open slots would suit you?", choices=[], validate_choice=False)
    name = StringField("Your name (as listeners would see it)")
    email = EmailField(
        "Your e-mail address",
        description="Only our volunteers see it; we write to tell you what we decided.",
    )
    access_needs = TextAreaField(
        "Anything we should know to make the studio work for you? (optional)",
        description="Access needs, times you cannot do, help you would like.",
    )
    #: The honeypot: hidden from people (and from screen readers); robots fill it in.
    website = StringField("Leave this empty")


class CommentForm(FlaskForm):
    text = TextAreaField("Comment", validators=[DataRequired(), Length(max=2000)])


class AcceptForm(FlaskForm):
    slots = CheckboxesField("In these open slots", choices=[], validate_choice=False)


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason (the proposer and the public change log see it)",
        validators=[DataRequired(), Length(max=500)],
    )
