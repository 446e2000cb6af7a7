"""Log lines an operator's tools can read: one JSON object per event, with time and level,
and the privacy filter (`hotline.web.privacy`) on every handler, whoever logs."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from typing import Any

from hotline.web.privacy import RedactingFilter

LEVEL = os.environ.get("HOTLINE_LOG_LEVEL", "INFO").upper()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def handler() -> logging.Handler:
    out = logging.StreamHandler(sys.stderr)
    out.setFormatter(JsonFormatter())
    out.addFilter(RedactingFilter())
    return out


def configure() -> None:
    """The line's own logger writes JSON lines at `HOTLINE_LOG_LEVEL` (INFO), so that "now
    serving ... languages" and every reload decision are seen at the default level. Once
    per process, however many apps it creates."""
    logger = logging.getLogger("hotline")
    logger.setLevel(LEVEL)
    if not any(isinstance(h.formatter, JsonFormatter) for h in (*logger.handlers, *logging.getLogger().handlers)):
        logger.addHandler(handler())  # not under gunicorn, whose root logger already writes JSON


def gunicorn_logconfig() -> dict[str, Any]:
    """Gunicorn's own messages (workers booting, timeouts) in the same JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "filters": {"privacy": {"()": RedactingFilter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "json", "filters": ["privacy"]}},
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},  # off: see README
        },
    }
