"""Throttles in the database: failed logins and counted requests, shared by every web process.

Revision ID: k17m_throttles
Revises: i15_logger
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "k17m_throttles"
down_revision = "i15_logger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("last", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "throttle_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("throttle", sa.String(40), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_throttle_hits_key", "throttle_hits", ["throttle", "key", "at"])


def downgrade() -> None:
    op.drop_index("ix_throttle_hits_key", table_name="throttle_hits")
    op.drop_table("throttle_hits")
    op.drop_table("login_failures")
