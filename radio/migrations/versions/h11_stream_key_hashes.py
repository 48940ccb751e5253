"""Stream keys are kept as SHA-256 hashes: existing plain keys are hashed in place.

Presenters keep their keys (the harbor checks a key against its hash). Downgrading cannot
bring plain keys back: each show gets a fresh key, to be shown from the database.

Revision ID: h11_stream_key_hashes
Revises: 0005_playout
Create Date: 2026-11-23
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

revision = "h11_stream_key_hashes"
down_revision = "0005_playout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    # Overwrite what is deleted, so the plain keys do not linger in free pages (the default
    # of some SQLite builds, such as Debian's, but not of all). PostgreSQL has no such
    # setting: its dead rows go at the next VACUUM.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
    with op.batch_alter_table("stream_keys") as batch:
        batch.add_column(sa.Column("key_hash", sa.String(64), nullable=True))
    rows = conn.execute(sa.text("SELECT show, key FROM stream_keys")).all()
    for show, key in rows:
        conn.execute(
            sa.text("UPDATE stream_keys SET key_hash = :digest, key = '' WHERE show = :show"),
            {"digest": hashlib.sha256(key.encode("utf-8")).hexdigest(), "show": show},
        )
    with op.batch_alter_table("stream_keys") as batch:
        batch.drop_column("key")
        batch.alter_column("key_hash", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("stream_keys") as batch:
        batch.add_column(sa.Column("key", sa.String(64), nullable=True))
    for (show,) in conn.execute(sa.text("SELECT show FROM stream_keys")).all():
        conn.execute(
            sa.text("UPDATE stream_keys SET key = :key WHERE show = :show"),
            {"key": secrets.token_urlsafe(18), "show": show},
        )
    with op.batch_alter_table("stream_keys") as batch:
        batch.drop_column("key_hash")
        batch.alter_column("key", existing_type=sa.String(64), nullable=False)
