"""Open slots the station offers for new shows, show proposals, and volunteers' comments.

Revision ID: i16_proposals
Revises: h13_outbox
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i16_proposals"
down_revision = "h13_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("wanted", sa.Text, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filled_by", sa.Integer, nullable=True),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("about", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("slots", sa.JSON, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("access_needs", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(254), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("show", sa.String(60), nullable=False),
    )
    op.create_index("ix_proposals_email", "proposals", ["email"])
    op.create_table(
        "proposal_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "proposal_id",
            sa.Integer,
            sa.ForeignKey("proposals.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(254), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("proposal_comments")
    op.drop_index("ix_proposals_email", table_name="proposals")
    op.drop_table("proposals")
    op.drop_table("open_slots")
