"""What operators and platforms read: /healthz (is the line answering, which version) and
/metrics (Prometheus, for the bearer of HOTLINE_METRICS_TOKEN)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request

from hotline.storage import embedded
from hotline.web import metrics
from hotline.web.line import line

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """`ok` only while Redis takes a write: a full Redis that still answers pings loses every
    session. The line still answers while degraded (without sessions), so the status is 200.
    `content` says which version this process serves and, when the newest one is not served
    (it fails the check, or cannot be kept yet), which and why: the line answers from its last
    good version meanwhile, so that alone leaves the status as it is. A metrics folder that
    cannot be written is 503 (`failing`): a platform restarts the instance.
    `sessions_lost_at`: when the embedded Redis was last started again, empty."""
    current = line()
    status = "ok" if current.store.writable() else "degraded"
    live = current.live
    served: dict[str, object] = {"serving": live.digest}
    if live.refused:
        served.update(refused=live.refused.version, why=live.refused.why,
                      retried=live.refused.retried)
    figures = metrics.writable()
    body = jsonify(status=status if figures else "failing", redis=status == "ok", metrics=figures,
                   sessions_lost_at=embedded.restarted(current.store.client),
                   flow=current.content.flow.version, version=live.digest, content=served,
                   languages=list(current.content.offered), fallback=current.content.fallback())
    return body if figures else (body, 503)


@health.get("/metrics")
def metrics_page() -> Response:
    """Prometheus text format, for the bearer of HOTLINE_METRICS_TOKEN; unset, there is none."""
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    verdict = line().metrics_throttle.compare(request.remote_addr or "", given, str(token))
    if verdict.wait:
        return Response("Too many wrong tokens.\n", 429, {"Retry-After": str(verdict.wait)}, mimetype="text/plain")
    if not verdict.right:
        abort(401)
    body, mimetype = metrics.render()
    return Response(body, status=200, headers={"Content-Type": mimetype})


