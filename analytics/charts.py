"""Plotly figures for the dashboard and the reports: frames in, `go.Figure` out, Japanese labels."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import vocabulary as v
from analytics.presentation import format_value, status_badge

# Browsers and exports pick the first font they have; all of these carry Japanese glyphs.
FONT_FAMILY = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'
_BAND = "rgba(0, 114, 178, 0.15)"
_GUIDE = "#555555"
_PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def chart_config(file_name: str) -> dict:
    """Plotly's config for a chart: Japanese-safe PNG download under a meaningful file name."""
    return _PLOTLY_CONFIG | {"toImageButtonOptions": {**_PLOTLY_CONFIG["toImageButtonOptions"], "filename": file_name}}


def plot_indicator_trend(history: pd.DataFrame, indicator: pd.Series, *, compact: bool = False) -> go.Figure:
    """Yearly values with their 95% interval, baseline, target, the path between them and the trend.

    `history` is the indicator's overall series from evaluate_observations; `indicator` its row
    from evaluate_indicators. The compact form is for small multiples: no projection, fewer ticks.
    """
    unit = indicator["unit"]
    colour = v.STATUS_COLOURS[indicator["status"]]
    years = history["fiscal_year"].to_numpy()
    figure = go.Figure()
    if unit == v.PERCENT and history["margin"].gt(0).any():
        figure.add_trace(
            go.Scatter(
                x=np.concatenate([years, years[::-1]]),
                y=np.concatenate([history["interval_high"], history["interval_low"][::-1]]),
                mode="lines",
                fill="toself",
                fillcolor=_BAND,
                line={"width": 0},
                hoverinfo="skip",
                name="95%信頼区間",
                showlegend=not compact,
            )
        )
    figure.add_trace(
        go.Scatter(
            x=[indicator["baseline_year"], indicator["target_year"]],
            y=[indicator["baseline_value"], indicator["target_value"]],
            mode="lines",
            line={"color": _GUIDE, "dash": "dot", "width": 1.5},
            name="目標達成ペース",
            hoverinfo="skip",
            showlegend=not compact,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[indicator["target_year"]],
            y=[indicator["target_value"]],
            mode="markers+text",
            marker={"symbol": "star", "size": 14, "color": _GUIDE},
            text=[f"目標 {format_value(indicator['target_value'], unit)}"],
            textposition="top left",
            name="目標値",
            hovertemplate=f"目標値（{v.format_fiscal_year(int(indicator['target_year']))}）: %{{y}}{unit}<extra></extra>",
            showlegend=False,
        )
    )
    figure.add_hline(
        y=indicator["baseline_value"],
        line={"color": _GUIDE, "width": 1},
        annotation_text=f"基準値 {format_value(indicator['baseline_value'], unit)}",
        annotation_position="bottom right",
    )
    if not compact and pd.notna(indicator.get("trend_slope")) and len(history) >= 2:
        first, target_year = years.min(), indicator["target_year"]
        start = indicator["projected_value"] + indicator["trend_slope"] * (first - target_year)
        figure.add_trace(
            go.Scatter(
                x=[first, target_year],
                y=[start, indicator["projected_value"]],
                mode="lines+text",
                line={"color": colour, "dash": "dash", "width": 1.5},
                text=["", f"見込み {format_value(indicator['projected_value'], unit)}"],
                textposition="bottom left",
                name="傾向（最小二乗法）と目標年度の見込み",
                hoverinfo="skip",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=years,
            y=history["value"],
            mode="lines+markers",
            line={"color": colour, "width": 2.5},
            marker={"size": 7 if compact else 9, "color": colour},
            name="実績値",
            customdata=np.column_stack([_year_labels(years), _margins(history, unit), _respondents(history)]),
            hovertemplate=f"%{{customdata[0]}}<br>実績値: %{{y:.1f}}{unit} %{{customdata[1]}}<br>%{{customdata[2]}}<extra></extra>",
            showlegend=not compact,
        )
    )
    _style(figure, unit, years, indicator, compact)
    return figure


def plot_breakdown(cells: pd.DataFrame, indicator: pd.Series) -> go.Figure:
    """One dot per group (年代 or 地域) with its interval, coloured by status, against the path and target."""
    unit = indicator["unit"]
    labels = [
        f"{category}  {v.STATUS_SYMBOLS[status]}"
        for category, status in zip(cells["category"], cells["status"], strict=True)
    ]
    figure = go.Figure(
        go.Scatter(
            x=cells["value"],
            y=labels,
            mode="markers",
            marker={"size": 11, "color": [v.STATUS_COLOURS[s] for s in cells["status"]], "symbol": "circle"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": cells["interval_high"] - cells["value"],
                "arrayminus": cells["value"] - cells["interval_low"],
                "color": "#777777",
                "thickness": 1.2,
            },
            customdata=np.column_stack([[v.STATUS_LABELS[s] for s in cells["status"]], _respondents(cells)]),
            hovertemplate=f"%{{y}}: %{{x:.1f}}{unit}（%{{customdata[0]}}）<br>%{{customdata[1]}}<extra></extra>",
            showlegend=False,
        )
    )
    if pd.notna(indicator["expected"]):
        figure.add_vline(
            x=indicator["expected"],
            line={"color": _GUIDE, "dash": "dot"},
            annotation_text=f"目標達成ペース {format_value(indicator['expected'], unit)}",
            annotation_position="top left",
        )
    figure.add_vline(
        x=indicator["target_value"],
        line={"color": _GUIDE},
        annotation_text=f"目標 {format_value(indicator['target_value'], unit)}",
        annotation_position="top right",
    )
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 13},
        template="plotly_white",
        height=max(260, 34 * len(cells) + 90),
        margin={"l": 10, "r": 20, "t": 40, "b": 40},
        xaxis={"ticksuffix": unit, "range": [0, 100] if unit == v.PERCENT else None, "title": None},
        yaxis={"autorange": "reversed", "title": None},
    )
    return figure


def plot_status_counts(summary: pd.DataFrame, policy_labels: dict[str, str]) -> go.Figure:
    """Stacked bars of status counts, one per 基本方針 and one for the whole plan (policy_code "")."""
    rows = summary[(summary["dimension"] == v.OVERALL)]
    labels = [policy_labels.get(code, "計画全体") for code in rows["policy_code"]]
    figure = go.Figure(
        [
            go.Bar(
                y=labels,
                x=rows[status],
                orientation="h",
                name=status_badge(status),
                marker={"color": v.STATUS_COLOURS[status]},
                text=[f"{v.STATUS_SYMBOLS[status]}{count}" if count else "" for count in rows[status]],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate=f"%{{y}}: {v.STATUS_LABELS[status]} %{{x}}指標<extra></extra>",
            )
            for status in v.STATUSES
        ]
    )
    figure.update_layout(
        barmode="stack",
        font={"family": FONT_FAMILY, "size": 13},
        template="plotly_white",
        height=70 + 46 * len(rows),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
        xaxis={"title": None, "dtick": 1, "showgrid": False, "visible": False},
        yaxis={"autorange": "reversed", "title": None},
    )
    return figure


def _style(figure: go.Figure, unit: str, years: np.ndarray, indicator: pd.Series, compact: bool) -> None:
    first = int(min(years.min(initial=indicator["baseline_year"]), indicator["baseline_year"]))
    ticks = list(range(first, int(indicator["target_year"]) + 1, 2 if compact else 1))
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 12 if compact else 14},
        template="plotly_white",
        # The full chart carries its own title so that a downloaded PNG says what it shows.
        title=None if compact else {"text": f"{indicator['code']}　{indicator['name']}", "font": {"size": 16}},
        height=280 if compact else 480,
        margin={"l": 10, "r": 10, "t": 26 if compact else 60, "b": 10},
        legend={"orientation": "h", "y": -0.22},
        hovermode="closest",
        xaxis={
            "tickvals": ticks,
            "ticktext": [f"{v.format_era_year(year)}<br>({year})" for year in ticks],
            "range": [first - 0.5, indicator["target_year"] + 0.5],
            "title": None,
        },
        yaxis={
            "ticksuffix": unit,
            "range": [0, 100] if unit == v.PERCENT else None,
            "rangemode": "normal",
            "title": None,
        },
    )


def _year_labels(years: np.ndarray) -> list[str]:
    return [v.format_fiscal_year(int(year)) for year in years]


def _margins(frame: pd.DataFrame, unit: str) -> list[str]:
    if unit != v.PERCENT:
        return [""] * len(frame)
    return ["（誤差不明）" if pd.isna(m) else f"±{m:.1f}pt" for m in frame["margin"]]


def _respondents(frame: pd.DataFrame) -> list[str]:
    return ["n 不明" if pd.isna(n) else f"n = {int(n):,}" for n in frame["respondents"]]
