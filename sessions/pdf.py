"""The approved collated feedback document as a PDF, titled for the mentee.

It is built only from the document's own fields and its mentee's cohort, so no
mentor can be named in it: the document holds no reference to any mentor.
"""

from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.dateformat import format as format_date
from matplotlib import get_data_path
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from sessions.models import FeedbackDocument

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@cache
def _register_fonts() -> None:
    """DejaVu Sans, which ships inside Matplotlib (the charts' library), so nothing is needed from the system.

    The PDF standard fonts cover Windows Latin 1 only, and ReportLab's own Vera little more: both
    would print a box for the ŵ and ŷ of a Welsh name, the ő of a Hungarian one or the ș of a
    Romanian one. DejaVu Sans covers every Latin alphabet in use.
    """
    folder = Path(get_data_path()) / "fonts" / "ttf"
    faces = {
        "normal": FONT,
        "bold": BOLD,
        "italic": "DejaVuSans-Oblique",
        "boldItalic": "DejaVuSans-BoldOblique",
    }
    for name in faces.values():
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, **faces)


def pdf_styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    sample = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=sample["BodyText"], fontName=FONT, fontSize=10, leading=14)
    return {
        "title": ParagraphStyle("Title", parent=sample["Title"], fontName=BOLD, alignment=0),
        "heading": ParagraphStyle("Heading", parent=sample["Heading2"], fontName=BOLD, fontSize=13),
        "subheading": ParagraphStyle("Subheading", parent=sample["Heading4"], fontName=BOLD, fontSize=10),
        "body": body,
        "muted": ParagraphStyle("Muted", parent=body, textColor="#555555"),
        # A bulleted line, placed as ReportLab's ListFlowable placed them (a Helvetica bullet of
        # 12 points, its baseline at the top of the line less 12 points), without a ListFlowable's
        # cost per item, which made thousands of key points take seconds.
        "key_point": ParagraphStyle(
            "KeyPoint",
            parent=body,
            leftIndent=6 * mm,
            bulletIndent=0,
            bulletFontName="Helvetica",
            bulletFontSize=12,
            bulletOffsetY=body.fontSize - 12,
        ),
    }


def pdf_text(value: str) -> str:
    """Plain text as Paragraph markup: escaped, with its line breaks kept."""
    return escape(value.replace("\r\n", "\n").strip()).replace("\n", "<br/>")


# Lines of a note per Paragraph: a page's worth, give or take.
LINES_PER_PARAGRAPH = 40


def pdf_lines(value: str, style: ParagraphStyle) -> list[Flowable]:
    """Plain text as Paragraphs of at most `LINES_PER_PARAGRAPH` lines, printed as one Paragraph of it would be.

    A note of thousands of short lines as a single Paragraph took ReportLab a minute: each page
    break re-wraps all the lines left, so the time grows with the square of their number. In
    pieces, a page break re-wraps one piece at most. The pieces sit one under the other with no
    space between; a blank line where two meet becomes a Spacer of a line's height, since a
    Paragraph drops a line break at either of its ends.
    """
    lines = value.replace("\r\n", "\n").strip().split("\n")
    if len(lines) <= LINES_PER_PARAGRAPH:
        return [Paragraph(pdf_text(value), style)]
    # Not allowOrphans, which would let a piece leave one line at the foot of a page as the middle
    # of a single Paragraph may: ReportLab 4 then fails to split a piece it split once already.
    first = ParagraphStyle(f"{style.name}First", parent=style, spaceAfter=0)
    middle = ParagraphStyle(f"{style.name}Middle", parent=style, spaceBefore=0, spaceAfter=0)
    last = ParagraphStyle(f"{style.name}Last", parent=style, spaceBefore=0)
    pieces = [lines[start : start + LINES_PER_PARAGRAPH] for start in range(0, len(lines), LINES_PER_PARAGRAPH)]
    flowables: list[Flowable] = []
    for number, piece in enumerate(pieces):
        piece_style = first if number == 0 else last if number == len(pieces) - 1 else middle
        written = [position for position, line in enumerate(piece) if line.strip()]
        if not written:
            flowables += [Spacer(1, style.leading) for _ in piece]
            continue
        flowables += [Spacer(1, style.leading) for _ in range(written[0])]
        flowables.append(Paragraph(pdf_text("\n".join(piece[written[0] : written[-1] + 1])), piece_style))
        flowables += [Spacer(1, style.leading) for _ in range(len(piece) - written[-1] - 1)]
    return flowables


def feedback_story(document: FeedbackDocument) -> list[Flowable]:
    styles = pdf_styles()
    body, muted = styles["body"], styles["muted"]
    cohort = document.mentee.cohort
    approved_on = format_date(timezone.localtime(document.approved_at), "j F Y") if document.approved_at else ""
    story: list[Flowable] = [
        Paragraph(pdf_text(document.title), styles["title"]),
        Paragraph(pdf_text(f"{cohort.programme.name}: {cohort.name}"), body),
        Paragraph(pdf_text(f"Version {document.version}, approved on {approved_on}"), body),
    ]
    if document.status == FeedbackDocument.Status.SUPERSEDED:
        story.append(Paragraph("This version has been superseded by a later approved version.", body))
    story += [
        Paragraph(
            "The group view of the mentors who took part in the phase 1 group interview, domain by domain. "
            "It is not attributable to any individual mentor.",
            muted,
        ),
        Spacer(1, 4 * mm),
    ]
    for section in document.sections.all():
        story.append(Paragraph(pdf_text(section.domain_label), styles["heading"]))
        if section.is_empty:
            story.append(Paragraph("No feedback for this domain.", muted))
            continue
        if section.note.strip():
            story += pdf_lines(section.note, body)
        if section.key_point_list:
            story.append(Paragraph("Key points", styles["subheading"]))
            story += [
                Paragraph(pdf_text(point), styles["key_point"], bulletText="\u2022") for point in section.key_point_list
            ]
    return story


def feedback_pdf(document: FeedbackDocument) -> bytes:
    """The document as an A4 PDF."""
    title = document.title
    buffer = BytesIO()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(doc.leftMargin, 10 * mm, f"Confidential. {title}, version {document.version}")
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=document.mentee.cohort.programme.name,
        subject="Reverse mentoring: collated feedback from the phase 1 group interview",
        creator="rmprog",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    pdf.build(feedback_story(document), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
