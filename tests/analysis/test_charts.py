"""The report's slope charts stay legible from a handful of participants to thousands."""

import pytest
from matplotlib.figure import Figure

from analysis.charts import MAX_LINE_WIDTH, _draw_panel, chart_figure


def line_widths(pair_counts) -> list[float]:
    axes = Figure().add_subplot()
    _draw_panel(axes, {"label": "Clinical practice", "pair_counts": pair_counts, "caption": "", "is_total": False})
    return list(axes.collections[0].get_linewidths())


def test_identical_pairs_of_a_small_cohort_draw_one_line_wider_by_each_participant():
    assert line_widths([((2, 4), 3), ((3, 3), 1)]) == [4.0, 1.0]


def test_a_large_cohorts_lines_widen_in_proportion_up_to_a_limit():
    widths = line_widths([((1, 2), 401), ((2, 2), 201), ((3, 3), 1)])
    assert widths == [MAX_LINE_WIDTH, 1 + (MAX_LINE_WIDTH - 1) / 2, 1.0]


def chart(panels: int) -> dict:
    return {
        "title": "Mentors (junior doctors): Understanding of the consultant role",
        "pre": "Baseline (before phase 1)",
        "post": "After phase 2",
        "panels": [
            {"label": f"Domain {n}", "pair_counts": [((2, 4), 1)], "caption": "n = 1, p = 1", "is_total": False}
            for n in range(panels)
        ],
    }


@pytest.mark.parametrize("panels", [1, 3, 8])
def test_the_title_fits_the_chart_above_the_panels_and_their_labels(panels):
    figure = chart_figure(chart(panels))
    renderer = figure.canvas.get_renderer()
    whole = figure.bbox
    title = figure._suptitle.get_window_extent(renderer)
    assert whole.x0 <= title.x0 and title.x1 <= whole.x1 and title.y1 <= whole.y1
    for axes in figure.axes:
        panel = axes.get_tightbbox(renderer)  # the panel with its title and tick labels
        assert panel.y1 < title.y0, "a panel's title runs into the chart's title"
        assert whole.x0 <= panel.x0 and panel.x1 <= whole.x1 and whole.y0 <= panel.y0
