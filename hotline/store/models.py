"""The tables. Revisions and their files are written once and never updated; the audit log is
only appended to; `published` is the one row naming the revision every instance serves."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Blob(Base):
    """A file's bytes, zlib-compressed, named by the SHA-256 of the uncompressed bytes: a file
    unchanged between revisions is stored once."""

    __tablename__ = "blob"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Revision(Base):
    """The whole content at one moment: immutable. `published_at` is set once, when it first went
    live (a release's shipped files are kept as a revision that may never be)."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    author: Mapped[str] = mapped_column(String(320))
    approver: Mapped[str | None] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    check_errors: Mapped[str | None] = mapped_column(Text)  # JSON list; None: not checked here (shipped)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    draft_id: Mapped[int | None] = mapped_column(Integer)


class RevisionFile(Base):
    __tablename__ = "revision_file"
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(400), primary_key=True)
    blob_hash: Mapped[str] = mapped_column(ForeignKey("blob.hash"))


class Draft(Base):
    """A change set based on a revision: its changed files only (a removed file has no blob).
    Its files change only while its author edits it (`hotline.store.store`: editing, in
    review, sent back, published); an imported draft starts in review."""

    __tablename__ = "draft"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    based_on: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    author: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column()
    approver: Mapped[str | None] = mapped_column(String(320))
    approved_at: Mapped[datetime | None] = mapped_column()
    revision_id: Mapped[int | None] = mapped_column(Integer)  # the revision it became


class DraftFile(Base):
    __tablename__ = "draft_file"
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(400), primary_key=True)
    blob_hash: Mapped[str | None] = mapped_column(ForeignKey("blob.hash"))


class Account(Base):
    """A staff member. Removal keeps the row (names in history stay readable) and bumps
    `generation`, as do sign-out and password and role changes: a session names the generation
    it was made in and ends when that is no longer the account's."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    languages: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[bool] = mapped_column(default=False)
    link_hash: Mapped[str | None] = mapped_column(String(64))  # one-time sign-in link, hashed
    link_expires: Mapped[datetime | None] = mapped_column()


class AuditEntry(Base):
    """Append-only. `hash` covers every field with `seq` and `prev_hash`: a changed, removed or
    reordered entry breaks the chain."""

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)  # JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Published(Base):
    """One row (id 1): the revision served everywhere, with a version bumped by every publish
    (optimistic concurrency: of two publishes at once exactly one finds its version), and the
    audit log's head (its last sequence number and hash: a deleted tail is found)."""

    __tablename__ = "published"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_hash: Mapped[str] = mapped_column(String(64), default="")
