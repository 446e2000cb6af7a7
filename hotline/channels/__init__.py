"""The ways residents reach the line: text, WhatsApp and voice, each rendering the same engine reply.

`messaging` holds what SMS and WhatsApp share (answering, paging, keywords); `sms` and
`whatsapp` what differs; `voice` renders for the ear; `render` the text pieces all use.
"""

SMS, WHATSAPP, VOICE = "sms", "whatsapp", "voice"
MAX_MESSAGE = 1600  # characters: the most Twilio takes in one message, on any transport (error 21617),
#                     and so the most it delivers of one
NAMES = {SMS: "Text messages", WHATSAPP: "WhatsApp", VOICE: "Phone calls"}  # in the order staff see them
