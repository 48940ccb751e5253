"""Listener figures: Icecast's listeners per mount, sampled.

Revision ID: j17_listener_samples
Revises: i14a_presenter_keys
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "j17_listener_samples"
down_revision = "i14a_presenter_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listener_samples",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mount", sa.String(60), nullable=False),
        sa.Column("listeners", sa.Integer, nullable=False),
    )
    op.create_index("ix_listener_samples_at", "listener_samples", ["at"])


def downgrade() -> None:
    op.drop_index("ix_listener_samples_at", table_name="listener_samples")
    op.drop_table("listener_samples")
