"""The approved document as a PDF: a real PDF, titled for the mentee, with every domain."""

import re

import pytest
from django.urls import reverse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from sessions import pdf as sessions_pdf
from sessions.pdf import feedback_pdf, pdf_styles
from sessions.services import SectionText, feedback_save_draft
from tests.sessions.helpers import pdf_text

pytestmark = pytest.mark.django_db


def pdf_url(document) -> str:
    return reverse("mentoring_sessions:feedback_pdf", args=[document.mentee.cohort.slug, document.mentee_id, 1])


def test_the_pdf_is_a_real_pdf_titled_for_the_mentee(lead_client, approved):
    response = lead_client.get(pdf_url(approved))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="collated-feedback-gastro-2026-C01-v1.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert len(response.content) > 2000
    text = pdf_text(response.content)
    assert "Collated feedback for C01 Dr Morag Pemberton" in text
    assert "Gastroenterology: Gastro 2026" in text
    assert "Version 1, approved on" in text


def test_the_pdf_has_each_domain_with_its_note_and_key_points(lead_client, approved):
    text = pdf_text(lead_client.get(pdf_url(approved)).content)
    for section in approved.sections.all():
        assert section.domain_label in text
        assert section.note in text
        for point in section.key_point_list:
            assert point in text


def test_markup_typed_in_a_note_is_printed_as_text(mentee, cohort):
    sections = [
        SectionText(domain_key="strengths", domain_label="Strengths", note="Teaching <b>& ward rounds", key_points="")
    ]
    document = feedback_save_draft(mentee=mentee, sections=sections)
    document.approve()
    assert "Teaching <b>& ward rounds" in pdf_text(feedback_pdf(document))


def test_names_from_any_latin_alphabet_print_with_their_own_letters(mentee, cohort):
    # Welsh, Hungarian, Romanian, Czech and Latvian names: a font without these letters prints a box.
    mentee.name = "Dr Siôn Ŵyn ap Rhŷs, Dr Ágnes Szőke, Dr Ștefan Țurcanu, Dr Jiří Dvořák, Dr Māra Bērziņa"
    mentee.save()
    sections = [SectionText(domain_key="strengths", domain_label="Strengths", note="Diolch, Siôn.", key_points="")]
    document = feedback_save_draft(mentee=mentee, sections=sections)
    document.approve()
    assert feedback_pdf(document).startswith(b"%PDF-")
    for style in pdf_styles().values():
        font = pdfmetrics.getFont(style.fontName)
        missing = sorted({letter for letter in mentee.name if ord(letter) not in font.face.charToGlyph})
        assert missing == [], f"{style.name} ({style.fontName}) has no glyph for {missing}"


def long_note() -> str:
    """A note of the longest kind (10,000 characters) in hundreds of lines, with blank lines between paragraphs."""
    lines = []
    for number in range(1, 701):
        lines.append(f"Line {number:03d}.")
        if number % 37 == 0:
            lines.append("")
    return "\n".join(lines)[:10_000]


def test_a_note_of_hundreds_of_lines_is_printed_whole_and_in_order(mentee, cohort):
    note = long_note()
    points = "\n".join(f"- Point {number:03d}" for number in range(1, 400))[:5_000]
    sections = [SectionText(d.key, d.label, note, points) for d in cohort.domains.all()]
    document = feedback_save_draft(mentee=mentee, sections=sections)
    document.approve()
    text = pdf_text(feedback_pdf(document))
    for domain in cohort.domains.all():
        assert domain.label in text
    expected_lines = [line for line in note.splitlines() if line]
    expected_points = [line.lstrip("- ") for line in points.splitlines()]
    # Each line printed is shown once in the pages' content streams, as "(the line) Tj".
    found_lines = re.findall(r"\((Line \d{3}\.)\) Tj", text)
    found_points = re.findall(r"\((Point \d{3})\) Tj", text)
    assert found_lines == expected_lines * cohort.domains.count()
    assert found_points == expected_points * cohort.domains.count()


@pytest.mark.parametrize("blank_lines_at", [[], [39], [40], [38, 39, 40, 41], [79, 80]])
def test_a_long_note_takes_the_same_height_on_the_page_as_one_paragraph_of_it(blank_lines_at):
    """Printed in pieces for speed, the note keeps its line spacing and blank lines."""
    lines = [f"Line {number}" for number in range(120)]
    for position in blank_lines_at:
        lines[position] = ""
    note = "\n".join(lines)
    body = pdf_styles()["body"]
    whole = Paragraph(sessions_pdf.pdf_text(note), body)
    pieces = sessions_pdf.pdf_lines(note, body)
    assert len(pieces) > 1
    width = A4[0] - 40 * mm
    height = sum(piece.wrap(width, A4[1])[1] for piece in pieces)
    spacing = [piece.getSpaceBefore() + piece.getSpaceAfter() for piece in pieces]
    assert height == whole.wrap(width, A4[1])[1]
    assert sum(spacing) == whole.getSpaceBefore() + whole.getSpaceAfter()
