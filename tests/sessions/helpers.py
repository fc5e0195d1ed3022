import contextlib
import re
import zlib
from base64 import a85decode

from participants.models import Cohort
from sessions.services import SectionText


def sections_for(cohort: Cohort, text: str) -> list[SectionText]:
    """A section per domain of the cohort, each saying `text` about that domain."""
    return [
        SectionText(
            domain_key=domain.key,
            domain_label=domain.label,
            note=f"{text} about {domain.label.lower()}.",
            key_points=f"- {text}: one point\n- {text}: another point",
        )
        for domain in cohort.domains.all()
    ]


def feedback_form_data(cohort: Cohort, text: str) -> dict[str, str]:
    """What the edit page posts: a note and key points for each domain."""
    data = {}
    for domain in cohort.domains.all():
        data[f"{domain.key}-note"] = f"{text} about {domain.label.lower()}."
        data[f"{domain.key}-key_points"] = f"{text}: a key point"
    return data


# In a content stream: a literal string shown with Tj, or an operator that moves to a new line.
TEXT_TOKEN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj|(?<![A-Za-z*])(T\*|ET|Td|TD|Tm)(?![A-Za-z*])")
ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3})")
ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    def replace(match: re.Match) -> bytes:
        code = match.group(1)
        if code.isdigit():
            return bytes([int(code, 8)])
        return ESCAPED.get(code, code)

    return ESCAPE.sub(replace, literal)


def pdf_text(pdf: bytes) -> str:
    """Everything a ReportLab PDF says, as searchable text.

    ReportLab encodes its streams with ASCII85 then Flate (its defaults), so each
    stream is decoded; the rest of the file, such as the document title, is plain.
    The result is the whole file with its streams decoded, followed by the text
    shown on the pages, a paragraph at a time: ReportLab shows a line in several
    pieces around some characters (an ampersand, say) and wraps long paragraphs,
    so the pieces are joined and a wrap becomes a space.
    """
    streams = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = a85decode(data[:-2])
        with contextlib.suppress(zlib.error):  # a stream that was not compressed
            data = zlib.decompress(data)
        streams.append(data)
    lines, line = [], b""
    for stream in streams:
        for match in TEXT_TOKEN.finditer(stream):
            if match.group(1) is not None:
                line += _unescape(match.group(1))
            elif match.group(2) == b"T*":  # the next line of a paragraph: a wrapped space
                line += b" "
            elif line.strip():
                lines.append(line.strip())
                line = b""
    parts = [pdf, *streams, b"\n".join(lines)]
    return "\n".join(part.decode("cp1252", errors="replace") for part in parts)
