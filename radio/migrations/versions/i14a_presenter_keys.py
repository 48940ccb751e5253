"""A stream key for each presenter, and the presenter who was live in the as-run log.

A show's existing key becomes the key of each presenter linked to the show (they all knew
it; each can now replace theirs without touching the others'); a show without presenters
keeps it as the show's own key (presenter 0). Downgrading keeps one key per show: the show's
own, else the first presenter's.

Revision ID: i14a_presenter_keys
Revises: i16_proposals
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i14a_presenter_keys"
down_revision = "i16_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT show, key_hash, created_at FROM stream_keys")).all()
    op.drop_table("stream_keys")
    op.create_table(
        "stream_keys",
        sa.Column("show", sa.String(60), primary_key=True),
        sa.Column("presenter", sa.Integer, primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for show, digest, made in rows:
        presenters = [
            row[0]
            for row in conn.execute(
                sa.text("SELECT account_id FROM account_shows WHERE show_slug = :show"),
                {"show": show},
            )
        ] or [0]
        for presenter in presenters:
            conn.execute(
                sa.text(
                    "INSERT INTO stream_keys (show, presenter, key_hash, created_at) "
                    "VALUES (:show, :presenter, :digest, :made)"
                ),
                {"show": show, "presenter": presenter, "digest": digest, "made": made},
            )
    with op.batch_alter_table("as_run") as batch:
        batch.add_column(sa.Column("presenter", sa.Text, nullable=True))


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("as_run") as batch:
        batch.drop_column("presenter")
    rows = conn.execute(
        sa.text("SELECT show, key_hash, created_at FROM stream_keys ORDER BY show, presenter")
    ).all()
    op.drop_table("stream_keys")
    op.create_table(
        "stream_keys",
        sa.Column("show", sa.String(60), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    kept: set[str] = set()
    for show, digest, made in rows:
        if show not in kept:
            kept.add(show)
            conn.execute(
                sa.text(
                    "INSERT INTO stream_keys (show, key_hash, created_at) "
                    "VALUES (:show, :digest, :made)"
                ),
                {"show": show, "digest": digest, "made": made},
            )
