"""The report's slope charts stay legible from a handful of participants to thousands."""

import pytest
from matplotlib.figure import Figure

from analysis.charts import MAX_LINE_WIDTH, _draw_panel, chart_description, chart_figure


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


def count_labels(axes) -> list:
    return [text for text in axes.texts if text.get_text().startswith("×")]


# Five groups cross the middle of the panel at the same point (a score of 3), as a cohort's
# changes often do; more lines about it.
CROSSING = [((1, 5), 2), ((2, 4), 6), ((3, 3), 5), ((4, 2), 3), ((5, 1), 4), ((2, 3), 2), ((3, 4), 3), ((4, 4), 2)]


def test_count_labels_of_lines_that_cross_never_cover_each_other():
    panel = {"label": "Clinical practice", "pair_counts": CROSSING, "caption": "n = 27, p = 0.5", "is_total": False}
    figure = chart_figure({**chart(4), "panels": [panel] * 4})
    renderer = figure.canvas.get_renderer()
    labels = count_labels(figure.axes[0])
    boxes = [label.get_window_extent(renderer) for label in labels]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second), "two count labels cover each other"
    written = sorted(int(label.get_text()[1:]) for label in labels)
    assert written[-2:] == [5, 6], "the largest groups are labelled first"
    for label in labels:  # each on its own line, wherever along it
        x, y = label.get_position()
        assert any(
            count == int(label.get_text()[1:]) and y == pytest.approx(pre + (post - pre) * x)
            for (pre, post), count in CROSSING
        )


def test_every_group_of_a_few_is_labelled_at_the_middle_of_its_line():
    axes = Figure().add_subplot()
    counted = [((2, 4), 3), ((3, 3), 1), ((4, 5), 2)]
    _draw_panel(axes, {"label": "Clinical practice", "pair_counts": counted, "caption": "", "is_total": False})
    assert sorted((label.get_text(), label.get_position()) for label in count_labels(axes)) == [
        ("×2", (0.5, 4.5)),
        ("×3", (0.5, 3.0)),
    ]


def test_each_charts_description_names_its_role_construct_and_stages_first():
    first = {**chart(2), "title": "Mentors (junior doctors): Importance"}
    second = {**chart(2), "title": "Mentors (junior doctors): Confidence"}
    assert chart_description(first) != chart_description(second)
    assert chart_description(first).startswith(
        "Mentors (junior doctors): Importance, from Baseline (before phase 1) to After phase 2: slope plots"
    )
