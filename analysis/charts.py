"""The report's charts, drawn on the server: paired slope plots, before and after side by side.

One figure per role, construct and pair of stages, with a panel per domain (and the total):
each participant is a line from their score before to their score after, so that every
change is visible. Figures are drawn with matplotlib's Agg backend straight onto a Figure
(no pyplot, whose global state is not safe in a threaded server) and served as PNG from our
own origin, so the pages need no script, and the PDF embeds the same images.
"""

import math
import textwrap
from collections import Counter
from io import BytesIO

from django.core.cache import cache

from analysis.models import AnalysisRun
from analysis.reports import ROLE_TITLES, domain_label, label_of, p_value
from questionnaires.models import Construct, Stage

PANELS_PER_ROW = 4
MAX_COUNT_LABELS = 40  # the largest groups whose counts are written on their lines, room allowing
MAX_LINE_WIDTH = 7  # points
ROSE, FELL, SAME = "#1f5fa8", "#c05a00", "#8a8a8a"
# A finished run's results never change, so its charts are drawn once (under half a second
# each) and kept: for the page's images and then the PDF.
CHART_CACHE_SECONDS = 24 * 60 * 60


def _pair_counts_per_row(results: dict) -> list[list[tuple[tuple[int, int], int]]] | None:
    if "pair_counts" in results:
        return [[((pre, post), count) for pre, post, count in row] for row in results["pair_counts"]]
    if "pairs" in results:  # stored before the counts were: every pair, one by one
        return [sorted(Counter(tuple(pair) for pair in row).items()) for row in results["pairs"]]
    return None


def chart_groups(results: dict) -> list[dict]:
    """The stored results as one chart per role, construct and pair of stages.

    Each chart: {"title", "pre", "post", "panels": [{"label", "pair_counts", "caption", "is_total"}]},
    with pair_counts [((pre, post), how many), ...] sorted. Runs made before the pairs were stored
    have none: no charts then.
    """
    pair_counts_per_row = _pair_counts_per_row(results)
    if pair_counts_per_row is None:
        return []
    domain_labels = dict(results.get("domains", []))
    charts: list[dict] = []
    for record, pair_counts in zip(results.get("comparisons", []), pair_counts_per_row, strict=True):
        key = (record["role"], record["construct"], record["stage_pre"], record["stage_post"])
        if not charts or charts[-1]["key"] != key:
            charts.append(
                {
                    "key": key,
                    "title": f"{ROLE_TITLES.get(key[0], key[0])}: {label_of(Construct, key[1])}",
                    "pre": label_of(Stage, key[2]),
                    "post": label_of(Stage, key[3]),
                    "panels": [],
                }
            )
        charts[-1]["panels"].append(
            {
                "label": domain_label(record["domain"], domain_labels),
                "pair_counts": pair_counts,
                "caption": f"n = {record['n']}, p = {p_value(record['p_asymptotic'])}",
                "is_total": record["domain"] == "total",
            }
        )
    return charts


# Where along its line a count's label may sit (0 is before, 1 after), in order of preference:
# lines that cross at the middle get their labels further along instead of on top of each other.
LABEL_POSITIONS = (0.5, 0.33, 0.67, 0.18, 0.82)
LABEL_FONT_SIZE = 7  # points


def _label_box(axes, x: float, y: float, text: str) -> tuple[float, float, float, float]:
    """The box, in data units, that a count label centred on (x, y) covers, with a little room around."""
    width_in, height_in = axes.get_position().size * axes.get_figure().get_size_inches()
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    # A character of the label font is about 0.6 of its size wide; the box adds its padding and edge.
    half_width = (len(text) * 0.6 + 1) * LABEL_FONT_SIZE / 72 / 2 * (x1 - x0) / width_in
    half_height = 1.6 * LABEL_FONT_SIZE / 72 / 2 * (y1 - y0) / height_in
    return x - half_width, y - half_height, x + half_width, y + half_height


def _label_counts(axes, counted: list[tuple[tuple[int, int], int]], colours: list[str]) -> None:
    """ "×n" on each line drawn for more than one participant, where it covers no other label.

    The largest groups are labelled first; a line whose label has no room anywhere along it (a
    large cohort's many distinct pairs) goes without, and its width still shows how many it carries.
    """
    placed: list[tuple[float, float, float, float]] = []
    groups = sorted(
        ((count, pre, post, colour) for ((pre, post), count), colour in zip(counted, colours, strict=True)),
        key=lambda group: -group[0],
    )
    for count, pre, post, colour in [group for group in groups if group[0] > 1][:MAX_COUNT_LABELS]:
        text = f"×{count}"
        for x in LABEL_POSITIONS:
            y = pre + (post - pre) * x
            box = _label_box(axes, x, y, text)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                placed.append(box)
                axes.text(
                    x,
                    y,
                    text,
                    ha="center",
                    va="center",
                    fontsize=LABEL_FONT_SIZE,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour, "linewidth": 0.5},
                )
                break


def _draw_panel(axes, panel: dict) -> None:
    from matplotlib.collections import LineCollection

    # Identical pairs are drawn once, thicker, with their count: overlapping lines would hide them.
    counted = panel["pair_counts"]
    lines = [[(0, pre), (1, post)] for (pre, post), _ in counted]
    colours = [ROSE if post > pre else FELL if post < pre else SAME for (pre, post), _ in counted]
    # 1.5 points wider for each participant more, until the widest line would pass MAX_LINE_WIDTH:
    # then in proportion, so that a large cohort's lines stay lines.
    most = max((count for _, count in counted), default=1)
    per_participant = min(1.5, (MAX_LINE_WIDTH - 1) / max(most - 1, 1))
    # One collection for all lines and one for all points: a thousand separate artists take seconds.
    axes.add_collection(
        LineCollection(lines, colors=colours, linewidths=[1 + per_participant * (count - 1) for _, count in counted])
    )
    ends = [point for line in lines for point in line]
    axes.scatter([x for x, _ in ends], [y for _, y in ends], c=[c for c in colours for _ in (0, 1)], s=16, zorder=3)
    axes.set_xlim(-0.25, 1.25)
    axes.set_xticks([0, 1], ["Before", "After"], fontsize=8)
    if panel["is_total"]:
        if ends:
            low, high = min(y for _, y in ends), max(y for _, y in ends)
            axes.set_ylim(low - 1, high + 1)
    else:
        axes.set_ylim(0.5, 5.5)
        axes.set_yticks([1, 2, 3, 4, 5])
    _label_counts(axes, counted, colours)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(f"{panel['label']}\n{panel['caption']}", fontsize=8)
    axes.grid(axis="y", color="#e5e5e5")


# Sizes in inches. The margins and gaps hold the tick labels and the two-line panel titles, and
# the top the chart's title, a line of it per TITLE_CHARS_PER_INCH characters of the width. They
# are fixed rather than worked out by matplotlib's constrained layout, which measured every label
# and took a third of each chart's time; the labels are the same size in every chart.
PANEL_WIDTH, PANEL_HEIGHT = 2.3, 2.6
LEFT, RIGHT, BOTTOM, ACROSS, DOWN = 0.4, 0.1, 0.35, 0.45, 0.7
TITLE_LINE, TITLE_CHARS_PER_INCH = 0.2, 11


def _place_panels(figure, width: float, height: float, rows: int, columns: int, top: float) -> None:
    panel_width = (width - LEFT - RIGHT - (columns - 1) * ACROSS) / columns
    panel_height = (height - top - BOTTOM - (rows - 1) * DOWN) / rows
    figure.subplots_adjust(
        left=LEFT / width,
        right=1 - RIGHT / width,
        top=1 - top / height,
        bottom=BOTTOM / height,
        wspace=ACROSS / panel_width,
        hspace=DOWN / panel_height,
    )


def chart_figure(chart: dict):
    """One chart as a matplotlib Figure, ready to save."""
    # Imported here: matplotlib is large, and only the processes that draw charts need it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = chart["panels"]
    columns = min(PANELS_PER_ROW, len(panels))
    rows = math.ceil(len(panels) / columns)
    width = PANEL_WIDTH * columns
    # Wrapped to the width: a one-panel chart (a construct with a single question) is narrow.
    title = textwrap.wrap(f"{chart['title']}: {chart['pre']} → {chart['post']}", int(width * TITLE_CHARS_PER_INCH))
    top = 0.6 + TITLE_LINE * len(title)
    height = PANEL_HEIGHT * rows + top - 0.3
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    _place_panels(figure, width, height, rows, columns, top)
    figure.suptitle("\n".join(title), fontsize=10)
    for index, panel in enumerate(panels):
        _draw_panel(figure.add_subplot(rows, columns, index + 1), panel)
    return figure


def draw_chart(chart: dict) -> bytes:
    """One chart as a PNG image."""
    buffer = BytesIO()
    chart_figure(chart).savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def chart_description(chart: dict) -> str:
    """Text alternative of a chart for screen readers: which chart it is first, as its title says."""
    return (
        f"{chart['title']}, from {chart['pre']} to {chart['post']}: slope plots of each participant's score, "
        f"one panel per domain: {', '.join(panel['label'] for panel in chart['panels'])}. "
        "Lines going up are rises, down are falls; the tables give the same comparisons in numbers."
    )


def chart_png(run: AnalysisRun, number: int, chart: dict) -> bytes:
    """Chart `number` of a finished run, drawn once and then served from the cache.

    The key holds the time the run finished as well as its id, so that a reused id (a
    database restored from a backup, say) can never be served another run's chart.
    """
    key = f"analysis-chart-{run.pk}-{run.finished_at.timestamp()}-{number}"
    return cache.get_or_set(key, lambda: draw_chart(chart), CHART_CACHE_SECONDS)
