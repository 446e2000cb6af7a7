"""What a staff test needs: accounts in a store attached to the app (as the serving glue
attaches it), a client signed in as one of them, and the CSRF token the pages carry (in
`<meta name="csrf-token">`), bound to the client's sign-in cookie, to post a form as the
browser does."""
from __future__ import annotations

import re

PASSWORD = "correct horse battery staple"


def with_accounts(app, store, *accounts: tuple[str, str, str, list[str]]):
    """`app` with `store` attached, holding `accounts` (email, name, role, languages), each
    with PASSWORD; the app."""
    for email, name, role, languages in accounts:
        store.add_account(email, name, role, languages, PASSWORD)
    app.extensions["hotline_store"] = store
    return app


def signed_in(app, email: str, password: str = PASSWORD, code: str = ""):
    """A test client of `app` signed in as `email`."""
    client = app.test_client()
    answer = client.post("/staff/login", data={"email": email, "password": password, "code": code})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def csrf(client) -> str:
    """The token the staff pages give this client now (read from a rendered page, as staff.js does)."""
    page = client.get("/staff/account").get_data(as_text=True)
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page)
    assert found, page[:300]
    return found.group(1)
