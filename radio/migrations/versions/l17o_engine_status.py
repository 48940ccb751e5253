"""What the scheduler publishes of the engine for the site: what is on air, and its health.

Revision ID: l17o_engine_status
Revises: l17l_live_mounts
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l17o_engine_status"
down_revision = "l17l_live_mounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_status",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("engine_status")
