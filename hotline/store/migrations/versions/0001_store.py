"""The content store: revisions, drafts, accounts, audit log, published pointer."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("blob", sa.Column("hash", sa.String(64), primary_key=True),
                    sa.Column("data", sa.LargeBinary, nullable=False))
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("revision.id")),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("approver", sa.String(320)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("published_at", sa.DateTime),
        sa.Column("check_errors", sa.Text),
        sa.Column("content_hash", sa.String(64), nullable=False, index=True),
        sa.Column("draft_id", sa.Integer),
    )
    op.create_table(
        "revision_file",
        sa.Column("revision_id", sa.Integer, sa.ForeignKey("revision.id"), primary_key=True),
        sa.Column("path", sa.String(400), primary_key=True),
        sa.Column("blob_hash", sa.String(64), sa.ForeignKey("blob.hash"), nullable=False),
    )
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("based_on", sa.Integer, sa.ForeignKey("revision.id"), nullable=False),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("approver", sa.String(320)),
        sa.Column("approved_at", sa.DateTime),
        sa.Column("revision_id", sa.Integer),
    )
    op.create_table(
        "draft_file",
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("draft.id"), primary_key=True),
        sa.Column("path", sa.String(400), primary_key=True),
        sa.Column("blob_hash", sa.String(64), sa.ForeignKey("blob.hash")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("languages", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(300)),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("link_hash", sa.String(64)),
        sa.Column("link_expires", sa.DateTime),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(400), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "published",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("revision_id", sa.Integer, sa.ForeignKey("revision.id")),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("audit_seq", sa.Integer, nullable=False),
        sa.Column("audit_hash", sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO published (id, revision_id, version, audit_seq, audit_hash) VALUES (1, NULL, 0, 0, '')")


def downgrade() -> None:
    for table in ("published", "audit_entry", "account", "draft_file", "draft", "revision_file", "revision", "blob"):
        op.drop_table(table)
