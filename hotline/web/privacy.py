"""Nothing that identifies a caller reaches a log: a filter that blanks phone numbers and
Twilio SIDs in every record, whatever logged it."""
from __future__ import annotations

import logging
import re

_PATTERNS = [
    re.compile(r"\b(?:CA|SM|MM|AC|MG|PN|RE|CF)[0-9a-fA-F]{32}\b"),        # Twilio SIDs
    re.compile(r"(?<![\w.])\+?\d[\d\s().-]{8,}\d(?!\w)"),                # phone numbers
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # the exception's text can carry input; keep its type and the redacted text only
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def install() -> None:
    """Attach the filter to the root logger's handlers and the loggers the line uses."""
    flt = RedactingFilter()
    for name in ("", "hotline", "werkzeug", "gunicorn.error", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)
