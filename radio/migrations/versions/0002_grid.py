"""The programme grid: shows, slots, exceptions and the grid's version counter.

Revision ID: 0002_grid
Revises: 0001_station
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_grid"
down_revision = "0001_station"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grid_shows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(60), nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("presenters", sa.JSON, nullable=False),
        sa.Column("category", sa.String(80), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("repeat_latest", sa.Boolean, nullable=False),
    )
    op.create_table(
        "grid_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "show_id",
            sa.Integer,
            sa.ForeignKey("grid_shows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("slot_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("repeat", sa.String(10), nullable=False),
        sa.Column("days", sa.String(20), nullable=False),
        sa.Column("every", sa.Integer, nullable=False),
        sa.Column("nth", sa.Integer, nullable=True),
        sa.Column("weekday", sa.Integer, nullable=True),
        sa.Column("day", sa.Integer, nullable=True),
        sa.Column("start_s", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("first", sa.Date, nullable=False),
        sa.Column("last", sa.Date, nullable=True),
        sa.UniqueConstraint("show_id", "slot_id"),
    )
    op.create_index("ix_grid_slots_show_id", "grid_slots", ["show_id"])
    op.create_table(
        "grid_exceptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("show_slug", sa.String(60), nullable=False),
        sa.Column("slot_id", sa.String(40), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("start", sa.DateTime, nullable=True),
        sa.Column("duration_s", sa.Integer, nullable=True),
        sa.Column("replacement", sa.String(60), nullable=True),
        sa.UniqueConstraint("show_slug", "slot_id", "day"),
    )
    grid_state = op.create_table(
        "grid_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.bulk_insert(grid_state, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("grid_state")
    op.drop_table("grid_exceptions")
    op.drop_index("ix_grid_slots_show_id", "grid_slots")
    op.drop_table("grid_slots")
    op.drop_table("grid_shows")
