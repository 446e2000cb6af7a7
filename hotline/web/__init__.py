"""The web edge: what Twilio, operators and platforms talk to.

Built the way Flask's tutorial app is: `app` (the app factory), `line` (the state every
request shares, with `init_app`), `guards` (the body and Twilio signature guards), `webhooks`
(the webhooks blueprint, its measures, the TwiML apologies and error handler), `health`
(/healthz and /metrics), `metrics` (the Prometheus figures),
`logs` and `privacy` (JSON log lines, nothing that identifies a caller), `gunicorn_conf`
(how the Procfile runs it: it must be imported before prometheus_client, so this package
imports nothing itself).
"""
