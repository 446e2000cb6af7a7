"""The ceiling `hotline bench` measures the line against: the least any Twilio webhook on
this stack can do (Flask under the same gunicorn settings, one Redis GET and one SET, a
fixed TwiML answer). The line's throughput and latency are judged as ratios to it, so the
figures mean the same on any machine.

Started by the bench as `gunicorn 'hotline.bench.ceiling:create_app()'` with REDIS_URL set.
"""
from __future__ import annotations

import os

import redis
from flask import Flask, Response, request

# About the size of a real answer and of a stored session.
SMS = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Reply with the number of '
       "your language:\n1 English\n2 Español</Message></Response>")
VOICE = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/step" '
         'input="dtmf speech" numDigits="1" language="en-US"><Say language="en-US" '
         'voice="Polly.Joanna">For English, press 1.</Say></Gather>'
         "<Redirect>/voice/step</Redirect></Response>")
SESSION = b'{"lang":"en","node":"main","trail":[],"page":0,"misses":0,"steps":1}'
TTL = 60


def create_app() -> Flask:
    app = Flask("hotline.bench.ceiling")
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=1.0)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> Response:
        """Every path, /healthz included: the voice answer names a follow-up URL so the
        bench's callers walk on, as they do on the line."""
        key = "hl:ceiling:" + request.form.get("From", "")
        client.get(key)
        client.set(key, SESSION, ex=TTL)
        return Response(VOICE if path.startswith("voice") else SMS, mimetype="text/xml")

    return app
