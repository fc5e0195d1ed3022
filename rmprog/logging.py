import logging
import re

# Personal links are /r/<token>/...; Django logs the path of every 4xx and 5xx response.
PERSONAL_LINK = re.compile(r"/r/[A-Za-z0-9_\-]+")


class RedactPersonalLinks(logging.Filter):
    """Keep participants' link tokens out of every log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/r/" in message:
            record.msg = PERSONAL_LINK.sub("/r/[redacted]", message)
            record.args = ()
        return True
