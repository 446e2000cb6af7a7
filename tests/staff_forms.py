"""What a staff test client needs to post a form as the browser does: the CSRF token the
pages carry (in `<meta name="csrf-token">`), bound to the client's sign-in cookie."""
from __future__ import annotations

import re


def csrf(client) -> str:
    """The token the staff pages give this client now (read from a rendered page, as staff.js does)."""
    page = client.get("/staff/account").get_data(as_text=True)
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page)
    assert found, page[:300]
    return found.group(1)
