"""Listen-again recordings of live shows (cut from the off-air logger), and the shows that
publish theirs on their own.

Revision ID: i15_logger
Revises: j17_listener_samples
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i15_logger"
down_revision = "j17_listener_samples"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listen_again",
        sa.Column("occurrence_id", sa.String(200), primary_key=True),
        sa.Column("show", sa.String(60), nullable=False),
        sa.Column("aired_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("aired_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trim_start_s", sa.Float, nullable=False),
        sa.Column("trim_end_s", sa.Float, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_listen_again_show", "listen_again", ["show"])
    # A plain ADD COLUMN: a batch copy of grid_shows would cascade-delete its slots.
    op.add_column(
        "grid_shows",
        sa.Column("listen_again", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("grid_shows", "listen_again")
    op.drop_index("ix_listen_again_show", table_name="listen_again")
    op.drop_table("listen_again")
