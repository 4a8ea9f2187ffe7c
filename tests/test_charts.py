import itertools

import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.charts import fit_axis, plot_breakdown, plot_indicator_trend, plot_status_counts


def _indicator(**overrides) -> pd.Series:
    row = {
        "code": "1-①",
        "name": "住んでいる地域の必要な情報が入手できると感じている市民の割合",
        "unit": "%",
        "status": v.SLIGHTLY_BEHIND,
        "baseline_year": 2015,
        "baseline_value": 42.0,
        "target_year": 2025,
        "target_value": 55.0,
        "projected_value": 54.0,
        "trend_slope": 1.2,
        "expected": 53.7,
    }
    return pd.Series(row | overrides)


def _history(margin: float = 2.8) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fiscal_year": [2022, 2023, 2024],
            "value": [50.6, 52.1, 53.4],
            "interval_low": [50.6 - margin, 52.1 - margin, 53.4 - margin],
            "interval_high": [50.6 + margin, 52.1 + margin, 53.4 + margin],
            "margin": [margin] * 3,
            "respondents": pd.array([1200, None, 1202], dtype="Int64"),
        }
    )


def _trace(figure, name: str):
    return next(trace for trace in figure.data if trace.name == name)


def test_trend_shows_values_band_path_and_target_in_japanese() -> None:
    figure = plot_indicator_trend(_history(), _indicator())
    assert [trace.name for trace in figure.data] == [
        "95%信頼区間",
        "目標達成ペース",
        "目標値",
        "傾向（最小二乗法）と目標年度の見込み",
        "実績値",
    ]
    assert list(_trace(figure, "実績値").y) == [50.6, 52.1, 53.4]
    assert list(_trace(figure, "目標達成ペース").x) == [2015, 2025]
    assert [annotation.text for annotation in figure.layout.annotations] == [
        "縦軸は39%から",
        "基準値 42.0%",
        "見込み 54.0%",
        "目標 55.0%",
    ]


@pytest.mark.parametrize(
    ("yearly_targets", "path"),
    [
        ((), ([2015, 2025], [42.0, 55.0])),
        (((2018, 43.0), (2022, 50.0)), ([2015, 2018, 2022, 2025], [42.0, 43.0, 50.0, 55.0])),
    ],
)
def test_trend_path_runs_through_the_plans_yearly_targets(yearly_targets: tuple, path: tuple) -> None:
    figure = plot_indicator_trend(_history(), _indicator(yearly_targets=yearly_targets))
    line = _trace(figure, "目標達成ペース")
    assert (list(line.x), list(line.y)) == path


def test_full_trend_is_titled_with_code_and_name_so_a_downloaded_png_says_what_it_shows() -> None:
    assert plot_indicator_trend(_history(), _indicator()).layout.title.text == (
        "1-①　住んでいる地域の必要な情報が入手できると感じている市民の割合"
    )
    assert plot_indicator_trend(_history(), _indicator(), compact=True).layout.title.text is None


def test_trend_colours_the_values_by_status() -> None:
    figure = plot_indicator_trend(_history(), _indicator(status=v.BEHIND))
    assert _trace(figure, "実績値").line.color == v.STATUS_COLOURS[v.BEHIND]


def test_projection_runs_from_the_first_year_to_the_projected_value_in_the_target_year() -> None:
    projection = _trace(plot_indicator_trend(_history(), _indicator()), "傾向（最小二乗法）と目標年度の見込み")
    # 54.0 − 1.2 × (2025 − 2022) = 50.4
    assert list(projection.x) == [2022, 2025]
    assert list(projection.y) == pytest.approx([50.4, 54.0])


@pytest.mark.parametrize("compact", [False, True])
def test_labels_sit_in_the_right_margin_a_line_apart_even_when_their_values_are_close(compact: bool) -> None:
    figure = plot_indicator_trend(_history(), _indicator(projected_value=54.8), compact=compact)
    labels = [a for a in figure.layout.annotations if a.xref == "paper" and a.x == 1]
    assert [(a.text, a.xanchor) for a in labels] == [
        ("基準値 42.0%", "left"),
        *([] if compact else [("見込み 54.8%", "left")]),
        ("目標 55.0%", "left"),
    ]
    heights = [a.y for a in labels]
    pixels_per_unit = (figure.layout.height - (70 if compact else 260)) / (
        figure.layout.yaxis.range[1] - figure.layout.yaxis.range[0]
    )
    assert min(b - a for a, b in itertools.pairwise(heights)) * pixels_per_unit >= (12 if compact else 14)
    assert max(heights) <= figure.layout.yaxis.range[1]


def test_share_axis_fits_values_baseline_and_target_with_a_margin_and_years_carry_their_era() -> None:
    figure = plot_indicator_trend(_history(), _indicator())
    # 42.0 (baseline) to 56.2 (upper interval), padded by 15% of the spread and rounded outwards.
    assert tuple(figure.layout.yaxis.range) == (39, 59)
    assert figure.layout.yaxis.ticksuffix == "%"
    assert figure.layout.xaxis.labelalias["2024"] == "令和6<br>(2024)"
    assert figure.layout.xaxis.labelalias["2015"] == "平成27<br>(2015)"


def test_count_indicator_has_its_own_axis_and_no_sampling_band() -> None:
    figure = plot_indicator_trend(_history(margin=0.0), _indicator(unit="団体", baseline_value=120, target_value=150))
    assert "95%信頼区間" not in [trace.name for trace in figure.data]
    # 50.6 (value) to 150 (target), padded by 15% of the spread, never below zero.
    assert tuple(figure.layout.yaxis.range) == (35, 165)
    assert figure.layout.yaxis.ticksuffix == "団体"
    assert figure.layout.annotations[0].text == "縦軸は35団体から"


@pytest.mark.parametrize(
    ("values", "unit", "expected"),
    [
        ([[1.0, 3.0], [5.0]], "%", (0, 6)),
        ([[90.0, 99.0]], "%", (88, 100)),
        ([[120, 150]], "団体", (115, 155)),
        ([[50.0, 50.0]], "%", (49, 51)),
    ],
)
def test_axis_is_fitted_within_0_and_100_percent(values: list, unit: str, expected: tuple) -> None:
    assert fit_axis(values, unit) == expected


def test_compact_trend_leaves_out_projection_and_legend() -> None:
    figure = plot_indicator_trend(_history(), _indicator(), compact=True)
    assert "傾向（最小二乗法）と目標年度の見込み" not in [trace.name for trace in figure.data]
    assert not any(trace.showlegend for trace in figure.data)


def test_hover_says_when_n_is_unknown() -> None:
    customdata = _trace(plot_indicator_trend(_history(), _indicator()), "実績値").customdata
    assert [row[2] for row in customdata] == ["n = 1,200", "n 不明", "n = 1,202"]


def test_breakdown_marks_each_group_with_status_colour_and_symbol() -> None:
    cells = pd.DataFrame(
        {
            "category": ["20代", "70歳以上"],
            "value": [41.0, 58.0],
            "interval_low": [33.0, 54.0],
            "interval_high": [49.0, 62.0],
            "status": [v.BEHIND, v.ACHIEVED],
            "respondents": pd.array([100, 300], dtype="Int64"),
        }
    )
    trace = plot_breakdown(cells, _indicator()).data[0]
    assert list(trace.y) == ["20代  ▲", "70歳以上  ◎"]
    assert list(trace.marker.color) == [v.STATUS_COLOURS[v.BEHIND], v.STATUS_COLOURS[v.ACHIEVED]]
    assert list(trace.error_x.arrayminus) == [8.0, 4.0]


def test_breakdown_guides_are_labelled_above_the_plot_each_on_its_own_line() -> None:
    cells = pd.DataFrame(
        {
            "category": ["20代"],
            "value": [41.0],
            "interval_low": [33.0],
            "interval_high": [49.0],
            "status": [v.BEHIND],
            "respondents": pd.array([100], dtype="Int64"),
        }
    )
    figure = plot_breakdown(cells, _indicator())
    assert [(a.text, a.yref, a.y, a.yshift) for a in figure.layout.annotations] == [
        ("目標 55.0%", "paper", 1, 4),
        ("目標達成ペース 53.7%", "paper", 1, 24),
        ("横軸は29%から", "paper", 1, 44),
    ]
    assert tuple(figure.layout.xaxis.range) == (29, 59)


def test_status_counts_stack_one_bar_per_policy_and_the_whole_plan() -> None:
    summary = pd.DataFrame(
        {
            "dimension": "",
            "category": "",
            "policy_code": ["1", ""],
            **{status: [0, 0] for status in v.STATUSES},
        }
    ).assign(on_track=[2, 3], behind=[1, 1])
    figure = plot_status_counts(summary, {"1": "基本方針1"})
    assert [trace.name for trace in figure.data] == [
        "◎ 達成",
        "○ 順調",
        "△ やや遅れ",
        "▲ 遅れ",
        "✕ 悪化",
        "－ データなし",
    ]
    assert list(figure.data[1].y) == ["基本方針1", "計画全体"]
    assert list(figure.data[1].x) == [2, 3]
    assert list(figure.data[3].text) == ["▲1", "▲1"]


def test_no_data_count_is_never_shown_with_a_dash_that_reads_as_a_minus_sign() -> None:
    summary = pd.DataFrame(
        {"dimension": "", "category": "", "policy_code": [""], **{status: [0] for status in v.STATUSES}}
    ).assign(no_data=[6], on_track=[5])
    figure = plot_status_counts(summary, {})
    assert [list(trace.text) for trace in figure.data] == [[""], ["○5"], [""], [""], [""], ["6"]]
    assert {trace.textangle for trace in figure.data} == {0}
