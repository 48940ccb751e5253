"""Media library: items, episodes attached to occurrences, resumable uploads.

Revision ID: 0003_media
Revises: 0002_grid
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_media"
down_revision = "0002_grid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("original_filename", sa.String(255), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("artist", sa.String(200), nullable=True),
        sa.Column("album", sa.String(200), nullable=True),
        sa.Column("isrc", sa.String(12), nullable=True),
        sa.Column("art_path", sa.String(200), nullable=True),
        sa.Column("waveform_path", sa.String(200), nullable=False),
        sa.Column("peaks", sa.JSON, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("loudness_lufs", sa.Float, nullable=True),
        sa.Column("true_peak_dbtp", sa.Float, nullable=True),
        sa.Column("gain_db", sa.Float, nullable=False),
        sa.Column("cue_in_s", sa.Float, nullable=False),
        sa.Column("cue_out_s", sa.Float, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_media_items_sha256", "media_items", ["sha256"], unique=True)
    op.create_table(
        "media_episodes",
        sa.Column("occurrence_id", sa.String(200), primary_key=True),
        sa.Column("show", sa.String(60), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("media_items.id"), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_media_episodes_show", "media_episodes", ["show"])
    op.create_index("ix_media_episodes_starts_at", "media_episodes", ["starts_at"])
    op.create_table(
        "media_uploads",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("show", sa.String(60), nullable=True),
        sa.Column("occurrence_id", sa.String(200), nullable=True),
        sa.Column("playlist", sa.String(60), nullable=True),
        sa.Column("owner", sa.String(80), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("media_id", sa.Integer, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("media_uploads")
    op.drop_index("ix_media_episodes_starts_at", "media_episodes")
    op.drop_index("ix_media_episodes_show", "media_episodes")
    op.drop_table("media_episodes")
    op.drop_index("ix_media_items_sha256", "media_items")
    op.drop_table("media_items")
