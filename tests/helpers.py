import html
import re


def page_text(response) -> str:
    """The text a reader sees: tags removed, entities decoded, whitespace collapsed."""
    content = response.content.decode() if hasattr(response, "content") else response
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())
