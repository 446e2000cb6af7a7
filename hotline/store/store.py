"""The store's operations: each one transaction, each refusal one plain sentence (`Refused`),
each action an audit entry in the same transaction."""
from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from hotline.languages import workflow
from hotline.languages.comments import Review
from hotline.languages.locales import catalog_path
from hotline.languages.po import Key, po_bytes, read_po_bytes
from hotline.store import accounts, audit, merge, rules
from hotline.store.checking import check_files
from hotline.store.db import StartLock, make_engine, migrate
from hotline.store.files import FLOWS, TRANSLATIONS, Files, content_hash
from hotline.store.models import Account, AuditEntry, Blob, Draft, DraftFile, Published, Revision, RevisionFile

RELEASE = "release"  # the author of shipped content
SHELL = "shell"      # who changes accounts from the shell without naming an admin (shell access is trusted)
# A draft's status: its author edits it (the staff pages), asks for review with a reason, then a
# publisher approves or sends it back (its author may edit it again) and publishes it.
EDITING, IN_REVIEW, SENT_BACK, PUBLISHED = "editing", "in review", "sent back", "published"
LINK_DAYS = 3
KEPT = 8  # revisions' files kept in memory (the published one and the few around it)


class Refused(Exception):
    """An action the rules or the data do not allow; the message says why, in one sentence."""


def now() -> datetime:
    """UTC, without a zone (SQLite keeps none)."""
    return datetime.now(UTC).replace(tzinfo=None)


Method = TypeVar("Method", bound=Callable[..., Any])


def noted(action: str, kind: str = "draft") -> Callable[[Method], Method]:
    """A refused staff action leaves an audit entry too: who tried what, and why it was refused.
    The method takes (self, subject, by, ...); a subject that is a number is a `kind` (draft 7)."""
    def wrap(method: Method) -> Method:
        @functools.wraps(method)
        def refusals_noted(self: Store, subject: object, by: str, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, subject, by, *args, **kwargs)
            except Refused as exc:
                self.record(by, f"{action} refused", f"{kind} {subject}" if isinstance(subject, int) else "", str(exc))
                raise
        return refusals_noted  # type: ignore[return-value]
    return wrap


@dataclass(frozen=True)
class Merged(merge.Merged):
    english: bool = False  # the draft changes the flows: the catalogs follow (`Store._following`)


@dataclass(frozen=True)
class Outcome:
    """What a publish or restore did: the revision it made, or the draft that waits and why."""

    draft: int
    revision: int | None
    waiting: str = ""


class Store:
    def __init__(self, engine: Engine, cfg: Mapping[str, Any]) -> None:
        self.engine, self.cfg = engine, cfg
        self._files: dict[int, dict[str, bytes]] = {}

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # Files -------------------------------------------------------------------------------

    def _put(self, session: Session, data: bytes) -> str:
        digest = content_hash({"": data})
        if session.get(Blob, digest) is None:
            session.add(Blob(hash=digest, data=zlib.compress(data, 9)))
            session.flush()
        return digest

    def _blobs(self, session: Session, hashes: set[str]) -> dict[str, bytes]:
        if not hashes:
            return {}
        return {b.hash: zlib.decompress(b.data) for b in session.scalars(select(Blob).where(Blob.hash.in_(hashes)))}

    def files(self, number: int, session: Session | None = None) -> dict[str, bytes]:
        """A revision's whole content (immutable, so kept once read)."""
        if number not in self._files:
            if session is None:
                with self.session() as fresh:
                    return self.files(number, fresh)
            rows = session.scalars(select(RevisionFile).where(RevisionFile.revision_id == number)).all()
            if not rows and session.get(Revision, number) is None:
                raise Refused(f"there is no revision {number}.")
            data = self._blobs(session, {r.blob_hash for r in rows})
            while len(self._files) >= KEPT:
                self._files.pop(next(iter(self._files)))
            self._files[number] = {r.path: data[r.blob_hash] for r in rows}
        return dict(self._files[number])

    def _changes(self, session: Session, draft: Draft) -> dict[str, bytes | None]:
        rows = session.scalars(select(DraftFile).where(DraftFile.draft_id == draft.id)).all()
        data = self._blobs(session, {r.blob_hash for r in rows if r.blob_hash})
        return {r.path: data[r.blob_hash] if r.blob_hash else None for r in rows}

    def draft_files(self, draft_id: int) -> dict[str, bytes]:
        with self.session() as session:
            draft = self._draft(session, draft_id)
            files = self.files(draft.based_on, session)
            for path, data in self._changes(session, draft).items():
                if data is None:
                    files.pop(path, None)
                else:
                    files[path] = data
            return files

    # Revisions ---------------------------------------------------------------------------

    def _pointer(self, session: Session) -> Published:
        """The published row, locked: every new revision and audit entry is made under it."""
        row = session.get(Published, 1, with_for_update=True)
        assert row is not None
        return row

    def _revision(self, session: Session, files: Files, parent: int | None, author: str, reason: str,
                  approver: str | None = None, errors: list[str] | None = None, draft: int | None = None,
                  published: bool = False) -> Revision:
        self._pointer(session)
        number = (session.scalar(select(func.max(Revision.id))) or 0) + 1
        made = now()
        revision = Revision(id=number, parent_id=parent, author=author, approver=approver, reason=reason,
                            created_at=made, published_at=made if published else None,
                            check_errors=None if errors is None else json.dumps(errors),
                            content_hash=content_hash(files), draft_id=draft)
        session.add(revision)
        session.flush()
        for path, data in files.items():
            session.add(RevisionFile(revision_id=number, path=path, blob_hash=self._put(session, data)))
        return revision

    @staticmethod
    def _published(session: Session) -> int:
        number = session.scalar(select(Published.revision_id).where(Published.id == 1))
        assert number is not None, "open_store seeds revision 1"
        return number

    def published_number(self) -> int | None:
        with self.engine.connect() as connection:
            return connection.scalar(select(Published.revision_id).where(Published.id == 1))

    def receive_release(self, shipped: Files) -> Draft | None:
        """Revision 1 on an empty store; a release whose files differ from the release before
        arrives as a draft based on that release's revision, never overwriting staff's edits."""
        digest = content_hash(shipped)
        with self.session() as session:
            pointer = self._pointer(session)
            if session.scalar(select(Revision.id).where(Revision.content_hash == digest).limit(1)):
                return None
            last = session.scalars(select(Revision).where(Revision.author == RELEASE)
                                   .order_by(Revision.id.desc()).limit(1)).first()
            if last is None:
                first = self._revision(session, shipped, None, RELEASE, "the content shipped with the line",
                                       published=True)
                pointer.revision_id, pointer.version = first.id, pointer.version + 1
                audit.append(session, RELEASE, "seed", f"revision {first.id}", "an empty store",
                             {"files": len(shipped)})
                return None
            before = self.files(last.id, session)
            kept = self._revision(session, shipped, last.id, RELEASE, "shipped with a new release (kept as the "
                                  "base of the next release; served only through its draft)")
            draft = self._new_draft(session, last.id, merge.changed(before, shipped), RELEASE,
                                    f"a new release changed the shipped content since revision {last.id} "
                                    f"(as shipped: revision {kept.id})")
            audit.append(session, RELEASE, "release draft", f"draft {draft.id}", draft.reason,
                         {"based_on": last.id, "files": sorted(merge.changed(before, shipped))})
            return draft

    def history(self) -> list[Revision]:
        with self.session() as session:
            return list(session.scalars(select(Revision).order_by(Revision.id)))

    # Accounts ----------------------------------------------------------------------------

    def actor(self, session: Session, email: str) -> rules.Actor:
        account = self._account(session, email)
        return rules.Actor(account.email, account.role, tuple(filter(None, account.languages.split(","))))

    def _account(self, session: Session, email: str) -> Account:
        account = session.scalars(select(Account).where(Account.email == email.strip().lower())).first()
        if account is None or account.removed:
            raise Refused(f"there is no staff account {email}: an admin adds it with 'hotline staff add'.")
        return account

    def _admin(self, session: Session, by: str | None) -> str:
        """Who changes an account: an admin, or the shell when no one is named."""
        if by is not None and self.actor(session, by).role != rules.ADMIN:
            raise Refused(f"{by} is not an admin: accounts are changed by admins.")
        return by or SHELL

    def add_account(self, email: str, name: str, role: str, languages: list[str], password: str | None,
                    by: str | None = None) -> str | None:
        """Returns a one-time sign-in token when no password is given."""
        email = email.strip().lower()
        self._role_ok(role, languages)
        with self.session() as session:
            by = self._admin(session, by)
            account = session.scalars(select(Account).where(Account.email == email)).first()
            if account is not None and not account.removed:
                raise Refused(f"{email} already has an account ({account.role}).")
            if account is None:
                account = Account(email=email, generation=0)
                session.add(account)
            account.name, account.role, account.languages, account.removed = name, role, ",".join(languages), False
            account.generation += 1
            account.password_hash = accounts.hash_password(password) if password else None
            account.totp_secret = None
            token = None
            if not password:
                token, account.link_hash = accounts.new_link_token()
                account.link_expires = now() + timedelta(days=LINK_DAYS)
            audit.append(session, by, "account added", email, "", {"role": role, "languages": languages})
            return token

    @staticmethod
    def _role_ok(role: str, languages: list[str]) -> None:
        if role not in rules.ROLES:
            raise Refused(f"{role} is not a role: use one of {', '.join(rules.ROLES)}.")
        if role == rules.TRANSLATOR and not languages:
            raise Refused("a translator needs their languages: --lang es,pl.")

    def accounts(self) -> list[Account]:
        with self.session() as session:
            return list(session.scalars(select(Account).where(~Account.removed).order_by(Account.email)))

    def remove_account(self, email: str, by: str | None = None) -> None:
        with self.session() as session:
            by = self._admin(session, by)
            account = self._account(session, email)
            account.removed, account.generation = True, account.generation + 1
            account.password_hash = account.totp_secret = account.link_hash = None
            audit.append(session, by, "account removed", account.email)

    def set_role(self, email: str, role: str, languages: list[str], by: str | None = None) -> None:
        self._role_ok(role, languages)
        with self.session() as session:
            by = self._admin(session, by)
            account = self._account(session, email)
            before = {"role": account.role, "languages": account.languages}
            account.role, account.languages, account.generation = role, ",".join(languages), account.generation + 1
            audit.append(session, by, "role changed", account.email, "",
                         {"before": before, "after": {"role": role, "languages": ",".join(languages)}})

    def reset_two_factor(self, email: str, by: str | None = None) -> None:
        """Turn off an account's second factor (a lost phone): they sign in with their password
        alone and turn it on again; their sessions end."""
        with self.session() as session:
            by = self._admin(session, by)
            account = self._account(session, email)
            account.totp_secret, account.generation = None, account.generation + 1
            audit.append(session, by, "second factor reset", account.email)

    # Drafts ------------------------------------------------------------------------------

    def _new_draft(self, session: Session, base: int, changes: Mapping[str, bytes | None], author: str,
                   reason: str) -> Draft:
        draft = Draft(based_on=base, author=author, reason=reason, status=IN_REVIEW, created_at=now())
        session.add(draft)
        session.flush()
        for path, data in changes.items():
            session.add(DraftFile(draft_id=draft.id, path=path, blob_hash=None if data is None else self._put(session, data)))
        return draft

    def _draft(self, session: Session, draft_id: int) -> Draft:
        draft = session.get(Draft, draft_id)
        if draft is None:
            raise Refused(f"there is no draft {draft_id}.")
        return draft

    def waits_for(self, draft: Draft) -> str:
        """What an open draft waits for, said for staff."""
        with self.session() as session:
            change = rules.classify(self.files(draft.based_on, session), self._changes(session, draft))
        if change.facts and draft.approver is None:
            return (f"it changes facts ({'; '.join(change.facts[:3])}{'; ...' if len(change.facts) > 3 else ''}): "
                    f"a publisher other than {draft.author} approves it, then a publisher publishes it")
        return "a publisher may publish it"

    @staticmethod
    def _still_open(draft: Draft) -> None:
        if draft.status == PUBLISHED:
            raise Refused(f"draft {draft.id} is already published (revision {draft.revision_id}).")
        if draft.status == SENT_BACK:
            raise Refused(f"draft {draft.id} was sent back to its author: they edit it and ask for review again.")
        if draft.status == EDITING:
            raise Refused(f"draft {draft.id} is still being edited: {draft.author} asks for review first.")

    def working_draft(self, by: str) -> Draft:
        """The draft `by` edits in the staff pages: their newest one not yet published or in
        review, else a new one based on the published revision."""
        with self.session() as session:
            actor = self.actor(session, by)
            found = session.scalars(select(Draft).where(Draft.author == actor.email,
                                                        Draft.status.in_((EDITING, SENT_BACK)))
                                    .order_by(Draft.id.desc()).limit(1)).first()
            if found is not None:
                return found
            draft = Draft(based_on=self._published(session), author=actor.email, reason="", status=EDITING,
                          created_at=now())
            session.add(draft)
            session.flush()
            audit.append(session, actor.email, "draft started", f"draft {draft.id}", "",
                         {"based_on": draft.based_on})
            return draft

    @noted("edit")
    def save(self, draft_id: int, by: str, files: Mapping[str, bytes | None]) -> Draft:
        """Files changed by their author in the staff pages (`None`: removed), into their draft.
        A draft in review or sent back goes back to editing, and any approval is void: what
        was approved is no longer what it holds."""
        with self.session() as session:
            actor, draft = self.actor(session, by), self._draft(session, draft_id)
            if draft.status == PUBLISHED:
                raise Refused(f"draft {draft_id} is already published (revision {draft.revision_id}).")
            if draft.author != actor.email:
                raise Refused(f"draft {draft_id} is {draft.author}'s: each person edits their own draft.")
            base = self.files(draft.based_on, session)
            changes = self._changes(session, draft)
            for path, data in files.items():
                changes.pop(path, None)
                if data != base.get(path):
                    changes[path] = data
            refusal = rules.may_author(actor, rules.classify(base, changes))
            if refusal:
                raise Refused(refusal)
            for row in session.scalars(select(DraftFile).where(DraftFile.draft_id == draft.id)):
                session.delete(row)
            session.flush()
            for path, data in changes.items():
                session.add(DraftFile(draft_id=draft.id, path=path,
                                      blob_hash=None if data is None else self._put(session, data)))
            draft.status, draft.approver, draft.approved_at = EDITING, None, None
            audit.append(session, actor.email, "draft edited", f"draft {draft_id}", "", {"files": sorted(files)})
            return draft

    @noted("review request")
    def ask_review(self, draft_id: int, by: str, reason: str) -> None:
        """The author hands their draft to the publishers, saying what changed and why."""
        if not reason.strip():
            raise Refused("asking for review needs a reason: what changed, and why.")
        with self.session() as session:
            actor, draft = self.actor(session, by), self._draft(session, draft_id)
            if draft.author != actor.email:
                raise Refused(f"draft {draft_id} is {draft.author}'s: its author asks for review.")
            if draft.status not in (EDITING, SENT_BACK):
                raise Refused(f"draft {draft_id} is {draft.status}: only a draft being edited goes to review.")
            if not self._changes(session, draft):
                raise Refused(f"draft {draft_id} changes nothing yet.")
            draft.status, draft.reason = IN_REVIEW, reason.strip()
            audit.append(session, actor.email, "review asked", f"draft {draft_id}", draft.reason)

    @noted("translation review")
    def sign_translation(self, draft_id: int, by: str, tag: str, key: Key, seen: str) -> None:
        """A second speaker of `tag` signs one string that a draft translates, on that draft:
        recorded in its catalog as every review is (`workflow.sign`), so publishing carries it,
        rather than in a draft of their own that would conflict with it. The draft keeps its
        status and approval: what residents get does not change. `seen`: the translation the
        reviewer read; a different one is not signed."""
        path = catalog_path(Path(TRANSLATIONS), tag).as_posix()
        with self.session() as session:
            actor, draft = self.actor(session, by), self._draft(session, draft_id)
            if draft.status == PUBLISHED:
                raise Refused(f"draft {draft_id} is already published: review the string where it is live.")
            refusal = rules.may_review_translation(actor, tag, draft.author)
            if refusal:
                raise Refused(refusal)
            data = self._changes(session, draft).get(path)
            catalog = read_po_bytes(data or b"")
            message = catalog.get(key[1], context=key[0] or None)
            before = read_po_bytes(self.files(draft.based_on, session).get(path, b"")).get(key[1], context=key[0] or None)
            if message is None or not message.string or (before is not None and before.string == message.string):
                raise Refused(f"draft {draft_id} does not translate this string: review it where it is live.")
            if message.string != seen:
                raise Refused("This translation changed since you opened it: read it again, then sign it.")
            if not workflow.sign(catalog, Review(actor.email, now().date().isoformat()), keys=[key]):
                raise Refused("This translation is a draft no one has accepted yet: it is signed once it is saved.")
            row = session.get(DraftFile, (draft.id, path))
            assert row is not None
            row.blob_hash = self._put(session, po_bytes(catalog))
            audit.append(session, actor.email, "translation reviewed", f"draft {draft_id}", "",
                         {"language": tag, "string": key[0], "translator": draft.author})

    def drafts(self, open_only: bool = True) -> list[Draft]:
        with self.session() as session:
            query = select(Draft).order_by(Draft.id)
            return list(session.scalars(query.where(Draft.status != PUBLISHED) if open_only else query))

    def exported_from(self, session: Session, files: Files) -> int:
        """The revision these files were most likely exported from: the one sharing most nodes and strings."""
        best, score = 0, -1
        for (number,) in session.execute(select(Revision.id).order_by(Revision.id.desc()).limit(50)):
            shared = merge.overlap(files, self.files(number, session))
            if shared > score:
                best, score = number, shared
        return best

    @noted("import")
    def import_files(self, files: Files, by: str, reason: str, base: int | None = None) -> Draft:
        """A draft of the differences between `files` and the revision they were exported from."""
        if not reason.strip():
            raise Refused("a draft needs a reason: --reason 'what and why'.")
        with self.session() as session:
            actor = self.actor(session, by)
            base = base or self.exported_from(session, files)
            before = self.files(base, session)
            changes = merge.changed(before, files)
            if not changes:
                raise Refused(f"these files are revision {base} exactly: there is nothing to draft.")
            refusal = rules.may_author(actor, rules.classify(before, changes))
            if refusal:
                raise Refused(refusal)
            draft = self._new_draft(session, base, changes, actor.email, reason)
            audit.append(session, actor.email, "draft imported", f"draft {draft.id}", reason,
                         {"based_on": base, "files": sorted(changes)})
            return draft

    @noted("approval")
    def approve(self, draft_id: int, by: str) -> None:
        with self.session() as session:
            actor, draft = self.actor(session, by), self._draft(session, draft_id)
            self._still_open(draft)
            refusal = rules.may_approve(actor, draft.author)
            if refusal:
                raise Refused(refusal)
            draft.approver, draft.approved_at, draft.status = actor.email, now(), IN_REVIEW
            audit.append(session, actor.email, "draft approved", f"draft {draft_id}", draft.reason)

    @noted("send-back")
    def send_back(self, draft_id: int, by: str, reason: str) -> None:
        with self.session() as session:
            actor, draft = self.actor(session, by), self._draft(session, draft_id)
            self._still_open(draft)
            if actor.role != rules.PUBLISHER:
                raise Refused(f"{actor.email} is not a publisher: only a publisher sends a draft back.")
            draft.status, draft.approver = SENT_BACK, None
            audit.append(session, actor.email, "draft sent back", f"draft {draft_id}", reason)

    def _merged(self, session: Session, draft: Draft) -> Merged:
        """The draft's changes merged onto the revision published now, when one was published
        since its base; `english` when the draft changes the flows."""
        base, changes = self.files(draft.based_on, session), self._changes(session, draft)
        mine = {p: d for p, d in {**base, **changes}.items() if d is not None}
        current = self._published(session)
        merged = merge.merge(base, mine, self.files(current, session)) if current != draft.based_on else \
            merge.Merged(mine, [])
        return Merged(merged.files, merged.conflicts, any(p.startswith(f"{FLOWS}/") for p in changes))

    @staticmethod
    def _following(merged: Merged) -> dict[str, bytes]:
        """The files to publish: after a change of English, every catalog follows it, as
        `hotline i18n update` makes the files follow (`workflow.follow_english`)."""
        return workflow.follow_english(merged.files) if merged.english else dict(merged.files)

    def as_published(self, draft_id: int) -> tuple[dict[str, bytes], list[str]]:
        """What publishing the draft would make live now (what it made, once published), and
        what it and the revisions published since its base both changed: for proofing."""
        with self.session() as session:
            draft = self._draft(session, draft_id)
            if draft.revision_id is not None:
                return self.files(draft.revision_id, session), []
            merged = self._merged(session, draft)
        return self._following(merged), merged.conflicts

    @noted("publish")
    def publish(self, draft_id: int, by: str) -> int:
        """Merge the draft onto the published revision, check it and make it the published one."""
        with self.session() as session:  # read: what would be published, and may it be
            actor, draft = self.actor(session, by), self._draft(session, draft_id)
            self._still_open(draft)
            seen, current = session.get(Published, 1).version, self._published(session)  # type: ignore[union-attr]
            change = rules.classify(self.files(draft.based_on, session), self._changes(session, draft))
            refusal = rules.may_publish(actor, change, draft.author, draft.approver, [])
            if refusal:
                raise Refused(refusal)
            merged = self._merged(session, draft)
            if merged.conflicts:
                raise Refused(f"draft {draft_id} and revision {current} (published since its base, revision "
                              f"{draft.based_on}) both changed: {'; '.join(merged.conflicts)}. Nothing was published.")
            approver, author, reason = draft.approver, draft.author, draft.reason
        files = self._following(merged)
        errors = check_files(files, self.cfg)
        refusal = rules.may_publish(actor, change, author, approver, errors)
        if refusal:
            raise Refused(refusal)
        with self.session() as session:  # write: only if nothing was published meanwhile
            won = session.execute(update(Published).where(Published.id == 1, Published.version == seen)
                                  .values(version=seen + 1))
            if won.rowcount != 1:  # type: ignore[attr-defined]
                raise Refused(f"another publish went first while draft {draft_id} was checked; nothing was "
                              "published: publish it again to merge onto it.")
            draft = self._draft(session, draft_id)
            self._still_open(draft)  # not sent back while it was checked
            revision = self._revision(session, files, current, author, reason, approver, errors, draft_id,
                                      published=True)
            session.execute(update(Published).where(Published.id == 1).values(revision_id=revision.id))
            draft.status, draft.revision_id = PUBLISHED, revision.id
            audit.append(session, actor.email, "published", f"revision {revision.id}", reason,
                         {"draft": draft_id, "author": author, "approver": approver, "facts": list(change.facts),
                          "merged_onto": current if current != draft.based_on else None})
            return revision.id

    @noted("restore", "revision")
    def restore(self, number: int, by: str, reason: str) -> Outcome:
        """A new revision with an earlier revision's content, under the same rules as any draft."""
        if not reason.strip():
            raise Refused("a restore needs a reason: --reason 'why'.")
        old = self.files(number)
        with self.session() as session:
            actor = self.actor(session, by)
            current = self._published(session)
            changes = merge.changed(self.files(current, session), old)
            if not changes:
                raise Refused(f"revision {current}, the published one, already has revision {number}'s content.")
            draft = self._new_draft(session, current, changes, actor.email, f"restore revision {number}: {reason}")
            audit.append(session, actor.email, "restore drafted", f"draft {draft.id}", reason, {"revision": number})
        try:
            return Outcome(draft.id, self.publish(draft.id, by))
        except Refused as exc:
            return Outcome(draft.id, None, str(exc))

    # Audit -------------------------------------------------------------------------------

    def record(self, actor: str | None, action: str, target: str = "", reason: str = "",
               details: dict[str, Any] | None = None) -> None:
        """An audit entry of its own (exports, refusals); no actor: the shell."""
        with self.session() as session:
            audit.append(session, actor or SHELL, action, target, reason, details)

    def audit_entries(self) -> list[AuditEntry]:
        with self.session() as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))

    def audit_verify(self) -> tuple[list[str], str]:
        with self.session() as session:
            return audit.verify(session)


def open_store(database_url: str | None, instance: Path, shipped: Files, cfg: Mapping[str, Any] | None = None) -> Store:
    """Migrate, then seed revision 1 or draft a new release's changes."""
    if cfg is None:
        from hotline import config

        cfg = config.read()
    engine = make_engine(database_url, instance)
    with StartLock(engine):
        migrate(engine)
        store = Store(engine, cfg)
        store.receive_release(shipped)
    return store
