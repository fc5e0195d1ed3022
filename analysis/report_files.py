"""The cohort report as files: a PDF (with the charts) and an XLSX workbook with one sheet per table."""

from io import BytesIO

from django.template.defaultfilters import pluralize
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analysis import reports
from analysis.charts import chart_png
from analysis.cohort_report import percent_submitted
from analysis.scoring import COLUMNS
from questionnaires.exports import spreadsheet_safe
from questionnaires.models import Stage

# The feedback PDF's fonts and escaping, so both PDFs look alike.
from sessions.pdf import pdf_styles, pdf_text

COMPARISON_HEADER = [
    "Domain",
    "n",
    "Before: median (IQR)",
    "After: median (IQR)",
    "W",
    "z",
    "p",
    "Exact p",
    "r",
    "Rank-biserial",
    "Note",
]
# Room for the longest value of each column in 8 point DejaVu Sans ("23.25 (21.25–25.75)", "< 0.001"),
# the note wrapping in what is left of a landscape A4 page between 15 mm margins (262 mm).
COMPARISON_WIDTHS = [w * mm for w in (38, 10, 33, 33, 13, 16, 16, 16, 14, 23, 50)]
NO_MEETINGS = "No meetings recorded."


def meeting_lines(meetings: dict | None, limit: int) -> list[str]:
    if not meetings or not meetings.get("n"):
        return [NO_MEETINGS]
    return [
        f"Meetings held: {meetings['n']}.",
        f"Duration, median (IQR): {reports.median_iqr(meetings['median'], meetings['q1'], meetings['q3'])} minutes; "
        f"longest {reports.plain_decimal(meetings['longest'], 0)} minutes (agreed upper limit {limit} minutes).",
    ]


def comparison_rows(pair: dict) -> list[list]:
    return [
        [row["label"], row["n"], row["pre"], row["post"], row["w"], row["z"]]
        + [row["p_asymptotic"], row["p_exact"], row["r"], row["rank_biserial"], row["note"]]
        for row in pair["rows"]
    ]


def pair_title(pair: dict) -> str:
    """The pair of stages in words ("Baseline to After phase 1"), as the PDF's headings read."""
    return " to ".join(reports.label_of(Stage, stage) for stage in pair["stages"])


def characteristics_rows(report: dict) -> list[list]:
    return [["", "Mentors", "Mentees"]] + [
        [row["label"], row["mentor"], row["mentee"]] for row in report["characteristics"]
    ]


def completion_table(report: dict) -> list[list]:
    """The counts and percentages as numbers, so that the XLSX holds cells a spreadsheet can add up."""
    return [["Stage", "Role", "Participants", "Invited", "Submitted", "Submitted (%)"]] + [
        [
            row["stage"],
            row["role"],
            row["participants"],
            row["invited"],
            row["submitted"],
            percent_submitted(row["submitted"], row["participants"]),
        ]
        for row in report["completion"]
    ]


def themes_table(report: dict) -> list[list]:
    themes = report["themes"]
    return [["Theme", *themes["columns"], "Total"]] + [
        [row["label"], *row["counts"], row["total"]] for row in themes["rows"]
    ]


def agreement_table(report: dict, *, as_numbers: bool = False) -> list[list]:
    """Kappa and agreement per theme, with how many answers each coder tagged with it.

    For the PDF the figures are printed to two places ("–" where kappa is undefined); for the
    XLSX `as_numbers` keeps them as numbers a spreadsheet can work with (empty where undefined).
    """
    themes = report["themes"]
    first, second = themes["coders"][:2]

    def figure(value: float | None) -> float | str | None:
        return value if as_numbers else reports.fixed_decimal(value, 2)

    return [["Theme", "Cohen's kappa", "Agreement", f"Tagged by {first}", f"Tagged by {second}"]] + [
        [row["label"], figure(row["kappa"]), figure(row["agreement"]), row["ticked_a"], row["ticked_b"]]
        for row in themes["agreement"]
    ]


def agreement_caption(themes: dict) -> str:
    return (
        f"Agreement between {themes['coders'][0]} and {themes['coders'][1]} per theme, "
        f"on the {themes['double_coded']} answers both coded. Kappa is undefined (–) where both coders "
        "gave every answer the same code for the theme: agreement is then complete but cannot be told "
        "from chance."
    )


# PDF


def _pdf_table(rows: list[list], styles: dict, *, widths: list[float] | None = None) -> Table:
    body = styles["small"]
    cells = [[Paragraph(pdf_text("–" if cell is None else str(cell)), body) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def report_pdf(report: dict) -> bytes:
    cohort = report["cohort"]
    styles = pdf_styles()
    styles["small"] = styles["body"].clone("Small", fontSize=8, leading=10)
    heading, body, muted = styles["heading"], styles["body"], styles["muted"]
    title = f"Report: {cohort.programme.name}, {cohort.name}"
    story = [
        Paragraph(pdf_text(title), styles["title"]),
        Paragraph("Pseudonymised: participants appear by code only.", muted),
        Paragraph("Participant characteristics", heading),
        _pdf_table(characteristics_rows(report), styles),
        Paragraph(f"Withdrawn participants (not counted above): {report['withdrawn']}.", muted),
        Paragraph("Questionnaire completion", heading),
        _pdf_table(completion_table(report), styles),
        Paragraph("Meeting durations", heading),
        *[Paragraph(pdf_text(line), body) for line in meeting_lines(report["meetings"], report["meeting_limit"])],
        Paragraph("Themes from the free-text answers", heading),
        _pdf_table(themes_table(report), styles),
    ]
    themes = report["themes"]
    story.append(Paragraph(pdf_text(themes_note(themes)), muted))
    if themes["agreement"]:
        story.append(_pdf_table(agreement_table(report), styles))
        story.append(Paragraph(pdf_text(agreement_caption(themes)), muted))
    story.append(Paragraph("Questionnaire scores before and after", heading))
    run = report["run"]
    if run is None:
        story.append(Paragraph("No analysis has finished yet: run an analysis first.", body))
    if report["out_of_date"]:
        story.append(Paragraph(f"<b>{pdf_text(report['out_of_date'])}</b>", body))
    for table in report["tables"]:
        story.append(Paragraph(pdf_text(table["title"]), styles["subheading"]))
        for pair in table["pairs"]:
            story.append(
                KeepTogether(
                    [
                        Paragraph(pdf_text(pair_title(pair)), styles["small"]),
                        _pdf_table([COMPARISON_HEADER, *comparison_rows(pair)], styles, widths=COMPARISON_WIDTHS),
                        Spacer(1, 3 * mm),
                    ]
                )
            )
    if run is not None:
        story += [Paragraph("Conventions", styles["subheading"])]
        story += [Paragraph(pdf_text(line), styles["small"]) for line in report["conventions"]]
    for number, chart in enumerate(report["charts"]):
        image = Image(BytesIO(chart_png(run, number, chart)))
        scale = min(1.0, (A4[1] - 40 * mm) / image.drawWidth, (A4[0] - 50 * mm) / image.drawHeight)
        image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
        story += [Spacer(1, 4 * mm), image]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author=cohort.programme.name,
        creator="rmprog",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build(story)
    return buffer.getvalue()


def themes_note(themes: dict) -> str:
    if not themes["coders"]:
        return f"{themes['comments']} free-text answer{pluralize(themes['comments'])}; none coded yet."
    note = (
        f"{themes['comments']} free-text answer{pluralize(themes['comments'])}, {themes['coded']} coded by"
        f" {themes['coders'][0]} "
        "(the counts above). A comment tagged with two themes counts under each."
    )
    if len(themes["coders"]) >= 2:
        note += f" Agreement with {themes['coders'][1]} on the {themes['double_coded']} answers both coded:"
    return note


# XLSX


def _sheet(workbook: Workbook, title: str, rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row])


def report_xlsx(report: dict, dictionary: list[list[str]]) -> bytes:
    """One sheet per table of the report, the full comparisons, and the SPSS file's data dictionary."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "Characteristics", characteristics_rows(report))
    _sheet(workbook, "Completion", completion_table(report))
    _sheet(workbook, "Meetings", [[line] for line in meeting_lines(report["meetings"], report["meeting_limit"])])
    _sheet(workbook, "Themes", themes_table(report))
    if report["themes"]["agreement"]:
        caption = [[agreement_caption(report["themes"])], []]
        _sheet(workbook, "Agreement", caption + agreement_table(report, as_numbers=True))
    else:
        _sheet(workbook, "Agreement", [["No answers have been coded by two coders yet."]])
    run = report["run"]
    records = run.results["comparisons"] if run is not None else []
    _sheet(workbook, "Comparisons", [COLUMNS] + [[record[column] for column in COLUMNS] for record in records])
    # First on the sheet that says how to read the comparisons; the Comparisons sheet's columns stay fixed.
    out_of_date = [[report["out_of_date"]]] if report["out_of_date"] else []
    _sheet(workbook, "Conventions", out_of_date + [[line] for line in report["conventions"]])
    _sheet(workbook, "Data dictionary", dictionary)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
