import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.charts import plot_breakdown, plot_indicator_trend, plot_status_counts


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
    assert _trace(figure, "目標値").text == ("目標 55.0%",)
    assert figure.layout.annotations[0].text == "基準値 42.0%"


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
    assert projection.text[-1] == "見込み 54.0%"


def test_share_axis_runs_from_0_to_100_and_years_carry_their_era() -> None:
    figure = plot_indicator_trend(_history(), _indicator())
    assert tuple(figure.layout.yaxis.range) == (0, 100)
    assert figure.layout.yaxis.ticksuffix == "%"
    assert "令和6<br>(2024)" in figure.layout.xaxis.ticktext
    assert figure.layout.xaxis.ticktext[0] == "平成27<br>(2015)"


def test_count_indicator_has_its_own_axis_and_no_sampling_band() -> None:
    figure = plot_indicator_trend(_history(margin=0.0), _indicator(unit="団体", baseline_value=120, target_value=150))
    assert "95%信頼区間" not in [trace.name for trace in figure.data]
    assert figure.layout.yaxis.range is None
    assert figure.layout.yaxis.ticksuffix == "団体"


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
