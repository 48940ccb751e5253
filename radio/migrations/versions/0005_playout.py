"""Playout: per-show stream keys and the as-run log.

Revision ID: 0005_playout
Revises: 0004_accounts
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_playout"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stream_keys",
        sa.Column("show", sa.String(60), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "as_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("show", sa.String(60), nullable=True),
        sa.Column("occurrence_id", sa.String(120), nullable=True, index=True),
        sa.Column("media_id", sa.String(80), nullable=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("artist", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("as_run")
    op.drop_table("stream_keys")
