"""The web edge: what Twilio, operators and platforms talk to.

`app` (the app factory, webhooks, signature and body guards, health), `metrics` (/metrics),
`logs` and `privacy` (JSON log lines, nothing that identifies a caller), `gunicorn_conf`
(how the Procfile runs it: it must be imported before prometheus_client, so this package
imports nothing itself).
"""
