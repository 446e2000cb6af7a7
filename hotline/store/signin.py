"""Staff sign-in by account: password (and TOTP when turned on), one-time links, and the
session generation that ends every session of a person at once. Each step is audited; a
password or code never is."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hotline.store import accounts, audit
from hotline.store.models import Account
from hotline.store.store import Refused, Store, now

NEEDS_CODE = "code"  # sign_in's answer when the password was right and a TOTP code is still needed


@dataclass(frozen=True)
class Who:
    """A signed-in staff member as a session sees them (read fresh on every staff request)."""

    id: int
    email: str
    name: str
    role: str
    generation: int
    two_factor: bool


def _who(account: Account) -> Who:
    return Who(account.id, account.email, account.name, account.role, account.generation, bool(account.totp_secret))


def any_accounts(store: Store) -> bool:
    with store.session() as session:
        return session.scalar(select(Account.id).where(~Account.removed).limit(1)) is not None


def current(store: Store, account_id: int, generation: int) -> Who | None:
    """The account a session names, if that session has not been ended since."""
    with store.session() as session:
        account = session.get(Account, account_id)
        if account is None or account.removed or account.generation != generation:
            return None
        return _who(account)


def sign_in(store: Store, email: str, password: str, code: str = "") -> Who | str:
    """The account, or why not: NEEDS_CODE (password right, code missing or wrong) or a refusal."""
    email = email.strip().lower()[:320]
    with store.session() as session:
        account = session.scalars(select(Account).where(Account.email == email)).first()
        if account is None or account.removed or not accounts.check_password(password, account.password_hash):
            audit.append(session, email, "sign-in failed", email, "", {"why": "email or password"})
            return "That email and password do not match an account."
        if account.totp_secret and not (code and accounts.totp_ok(account.totp_secret, code)):
            if code:
                audit.append(session, email, "sign-in failed", email, "", {"why": "authenticator code"})
            return NEEDS_CODE
        audit.append(session, email, "signed in", email, "", {"two_factor": bool(account.totp_secret)})
        return _who(account)


def end_sessions(store: Store, account_id: int, action: str = "signed out") -> None:
    """Every session of this person ends (sign-out)."""
    with store.session() as session:
        account = session.get(Account, account_id)
        if account is not None:
            account.generation += 1
            audit.append(session, account.email, action, account.email)


def change_password(store: Store, account_id: int, old: str, new: str) -> Who:
    """A new password; every session ends, and the one returned is for this browser."""
    if len(new) < 12:
        raise Refused("a password needs at least 12 characters.")
    with store.session() as session:
        account = session.get(Account, account_id)
        if account is None or not accounts.check_password(old, account.password_hash):
            raise Refused("the current password is not right.")
        account.password_hash, account.generation = accounts.hash_password(new), account.generation + 1
        audit.append(session, account.email, "password changed", account.email)
        return _who(account)


def use_link(store: Store, token: str, password: str) -> Who:
    """A one-time sign-in link sets the first password (and is spent)."""
    if len(password) < 12:
        raise Refused("a password needs at least 12 characters.")
    with store.session() as session:
        account = session.scalars(select(Account).where(Account.link_hash == accounts.link_hash(token))).first()
        if account is None or account.removed or account.link_expires is None or account.link_expires < now():
            raise Refused("this sign-in link was used or has expired: ask an admin for a new one.")
        account.password_hash, account.link_hash, account.link_expires = accounts.hash_password(password), None, None
        account.generation += 1
        audit.append(session, account.email, "password set from a sign-in link", account.email)
        return _who(account)


def turn_on_two_factor(store: Store, account_id: int, secret: str, code: str) -> Who:
    """TOTP from now on, once a code from the app proves it was set up; other sessions end."""
    if not accounts.totp_ok(secret, code):
        raise Refused("that code does not match: check the app's clock and try the newest code.")
    with store.session() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise Refused("this account was removed.")
        account.totp_secret, account.generation = secret, account.generation + 1
        audit.append(session, account.email, "two-factor turned on", account.email)
        return _who(account)
