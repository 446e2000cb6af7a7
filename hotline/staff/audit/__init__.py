"""The audit log, for admins: every staff action with who, when, what and why; as a page and
as CSV."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from hotline.staff import shared
from hotline.store import audit

blueprint = Blueprint("audit", __name__, template_folder="templates")


@blueprint.get("/audit")
def audit_page() -> str:
    store, _who = shared.admin()
    return render_template("staff/audit/audit.html", entries=list(reversed(store.audit_entries())))


@blueprint.get("/audit.csv")
def audit_csv() -> Response:
    store, _who = shared.admin()
    return Response(audit.to_csv(store.audit_entries()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="hotline-audit.csv"'})
