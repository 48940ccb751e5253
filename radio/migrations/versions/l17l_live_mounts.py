"""The live mounts as the scheduler last read them from Liquidsoap, for the site to read.

Revision ID: l17l_live_mounts
Revises: k17m_throttles
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "l17l_live_mounts"
down_revision = "k17m_throttles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_mounts",
        sa.Column("mount", sa.String(40), primary_key=True),
        sa.Column("occurrence", sa.String(120), nullable=False),
        sa.Column("connected", sa.Boolean, nullable=False),
        sa.Column("presenter", sa.String(20), nullable=False),
        sa.Column("gate", sa.Boolean, nullable=False),
        sa.Column("level", sa.Float, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("live_mounts")
