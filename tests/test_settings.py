"""Settings that must not break the line: any SMS segment budget the README allows starts a
fresh instance and serves (the flow tests judge whole pages, so they hold at any budget), a
budget outside the range stops start-up in one sentence; staff pages answer 400 for a bad
filter, and the staff cookie and HSTS follow HTTPS whatever the proxy says."""
from __future__ import annotations

import pytest

from hotline import config
from hotline.channels import gsm, messaging, sms
from hotline.check import flowtests
from hotline.content import load_content
from hotline.engine import Reply
from tests.conftest import ROOT, SMALL, Texter, Twilio

STAFF = "staff-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def shipped():
    return load_content(ROOT / "flows", ROOT / "translations")


@pytest.mark.content  # the shipped flows' own tests
@pytest.mark.parametrize("budget", list(config.SEGMENTS))
def test_the_shipped_flow_tests_pass_at_every_budget_the_readme_allows(shipped, budget):
    cfg = config.read({"SMS_SEGMENTS": budget})
    failed = [o for o in flowtests.run_folder(shipped, ROOT / "flows" / flowtests.FOLDER, cfg) if not o.passed]
    assert failed == [], [p.message for o in failed for p in o.problems]


def test_a_step_is_judged_by_its_whole_page_without_the_more_prompts():
    small = load_content(SMALL / "flows", SMALL / "translations")
    channel = sms.SmsSettings.from_config(config.read())
    parts = messaging.render(small, Reply(node="wages", lang="en"), channel)
    assert len(parts) > 1  # paged at the default budget
    last_words = parts[-1].split("\n\n")[0]
    steps = [flowtests.Step("hello", (), (), 1), flowtests.Step("4", (), (), 2),
             flowtests.Step("1", (last_words,), ("Reply MORE",), 3)]
    assert flowtests.run_steps(small, "whole page", "sms", steps, "t.yaml", {"sms": channel}) == []
    prompted = [*steps[:2], flowtests.Step("1", ("Reply MORE to read on",), (), 3)]
    assert flowtests.run_steps(small, "prompt", "sms", prompted, "t.yaml", {"sms": channel})


@pytest.mark.parametrize("budget", [3, 5, 10])
def test_a_fresh_instance_starts_and_serves_at_budget(make_app, tmp_path, budget):
    app = make_app(SMS_SEGMENTS=budget, INSTANCE=str(tmp_path / "fresh"))
    resident = Texter(Twilio(app.test_client()))
    assert "4 Rights at work" in resident.text("hello")
    resident.text("4")
    pages = [resident.text("1")]  # Unpaid wages: a long page
    while "Reply MORE" in pages[-1] and len(pages) < 10:
        pages.append(resident.text("MORE"))
    assert all(gsm.segments(p) <= budget for p in resident.received)
    assert "up to three years after the work was done" in " ".join(pages)  # its last paragraph


@pytest.mark.parametrize("budget", [2, 11, "five", True])
def test_a_budget_outside_the_range_stops_start_up_in_one_sentence(make_app, tmp_path, budget):
    with pytest.raises(RuntimeError, match="^HOTLINE_SMS_SEGMENTS is .*; it must be a whole number from 3 to 10") as err:
        make_app(SMS_SEGMENTS=budget, INSTANCE=str(tmp_path / "fresh"))
    assert "\n" not in str(err.value) and str(err.value).count(". ") == 0


def test_staff_counts_answer_400_for_an_unknown_language_or_channel(make_app):
    client = make_app(STAFF_TOKEN=STAFF).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {STAFF}"
    for query in ("lang=xx", "channel=zz", "lang=xx&channel=zz", "lang=%00"):
        assert client.get(f"/staff/counts?{query}").status_code == 400, query
        assert client.get(f"/staff/counts.csv?{query}").status_code == 400, query
    assert client.get("/staff/counts?lang=es&channel=sms").status_code == 200


@pytest.mark.parametrize("where", [{"PUBLIC_URL": "https://line.example.org"},
                                   {"PUBLIC_URL": None, "ACCEPTED_HOSTS": "localhost"}])
def test_the_staff_cookie_is_secure_and_hsts_is_sent_over_https_whatever_the_proxy(make_app, where):
    """The line sees plain HTTP (a TLS proxy gunicorn does not trust), yet staff reach it by HTTPS."""
    client = make_app(STAFF_TOKEN=STAFF, **where).test_client()
    signed_in = client.post("/staff/login", data={"token": STAFF}, headers={"X-Forwarded-Proto": "https"})
    assert signed_in.status_code == 302
    assert "Secure" in signed_in.headers["Set-Cookie"]
    assert signed_in.headers["Strict-Transport-Security"].startswith("max-age=")
    assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_mode_over_http_sends_no_secure_cookie_nor_hsts(make_app):
    client = make_app(STAFF_TOKEN=STAFF, PUBLIC_URL=None, DEV=True).test_client()
    signed_in = client.post("/staff/login", data={"token": STAFF})
    assert "Secure" not in signed_in.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in signed_in.headers


def test_metrics_are_off_without_a_token(make_app):
    assert make_app().test_client().get("/metrics").status_code == 404
