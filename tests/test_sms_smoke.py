from tests.conftest import messages, sms_params


def test_first_text_gets_a_menu(resident):
    reply = resident.text("hello")
    assert "1 Your rights in Chicago" in reply


def test_unsigned_is_forbidden(twilio):
    assert twilio.post("/sms", sms_params("+13125550100", "hi"), signature=None).status_code == 403
