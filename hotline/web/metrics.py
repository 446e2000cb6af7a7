"""What an operator can watch at `/metrics` (Prometheus text format): aggregate figures
only, never a number, SID or message text, so no label carries anything a caller sent.

Under gunicorn every worker writes its figures to prometheus_client's multiprocess folder
(`PROMETHEUS_MULTIPROC_DIR`, set by `hotline.web.gunicorn_conf`) and `/metrics` adds them up,
whichever worker answers; in a single process (`hotline serve`, tests) the figures are the
process's own.
"""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess,
)

REQUESTS = Counter("hotline_requests", "Webhook requests answered, by channel and outcome",
                   ["channel", "outcome"])
WITHOUT_SESSION = Counter("hotline_answers_without_session",
                          "Answers given without a stored session (Redis unavailable or full)", ["channel"])
RELOADS = Counter("hotline_reloads", "Edited flows and catalogs: accepted and served, or refused", ["result"])
CONTENT_REFUSED = Gauge("hotline_content_refused", "1 while a process serves its last good version because the "
                        "newest failed the check or could not be kept", multiprocess_mode="livemax")
LANGUAGES = Gauge("hotline_language_offered", "1 while a language is offered to residents", ["language"],
                  multiprocess_mode="mostrecent")
FALLBACK = Gauge("hotline_strings_fallback", "Strings a language serves in English, from an earlier English, "
                 "or not at all (a broken translation)", ["language", "served"], multiprocess_mode="mostrecent")
LATENCY = Histogram("hotline_request_seconds", "Time to answer a webhook", ["channel"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def content(every: tuple[str, ...], offered: tuple[str, ...], fallback: dict[str, dict[str, int]]) -> None:
    """The figures of the content now served: which languages, and how much of each falls back."""
    for tag in every:
        LANGUAGES.labels(tag).set(1 if tag in offered else 0)
        for served in ("english", "older", "broken"):
            FALLBACK.labels(tag, served).set(fallback.get(tag, {}).get(served, 0))


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
