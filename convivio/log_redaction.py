"""Secrets in addresses stay out of the logs.

A calendar feed's address carries its secret token (/calendar/<token>.ics). Django logs
the path of a 404 (`django.request`) and the development server logs every request line
(`django.server`); this filter blanks the token in both before any handler sees it.
"""

import logging
import re

# Whatever follows /calendar/ up to the end of the path, however its ".ics" is spelled
# (".ICS", "%2Eics", or none): a mistyped address can still carry the real token.
CALENDAR_TOKEN = re.compile(r"/calendar/[^/\s\"?#]+")
REDACTED = "/calendar/[token].ics"


class RedactCalendarTokens(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if "/calendar/" in message:
            record.msg = CALENDAR_TOKEN.sub(REDACTED, message)
            record.args = ()
        return True
