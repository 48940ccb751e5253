"""The e-mail outbox, and the shows that want no reminders about missing episodes.

Revision ID: h13_outbox
Revises: h11_stream_key_hashes
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h13_outbox"
down_revision = "h11_stream_key_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("to", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_try", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("event", sa.String(200), nullable=True, unique=True),
    )
    op.create_index("ix_outbox_next_try", "outbox", ["next_try"])
    op.create_table(
        "reminder_opt_outs",
        sa.Column("show", sa.String(60), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("reminder_opt_outs")
    op.drop_index("ix_outbox_next_try", table_name="outbox")
    op.drop_table("outbox")
