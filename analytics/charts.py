"""Plotly figures for the dashboard and the reports: frames in, `go.Figure` out, Japanese labels."""

import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import vocabulary as v
from analytics.chart_data import trace_target_path
from analytics.presentation import format_value, status_badge

# Browsers and exports pick the first font they have; all of these carry Japanese glyphs.
FONT_FAMILY = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'
_BAND = "rgba(0, 114, 178, 0.15)"
_GUIDE = "#555555"
_PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
# plotly.js's own Japanese locale (npm plotly.js-locales 3.7.0, MIT), kept in the repository so
# that no page fetches it: its button titles and date words replace the English ones.
_PLOTLY_LOCALE = Path(__file__).parent / "assets" / "plotly-locale-ja.js"
_LOCALE_ENTRY = re.compile(r"^\s*'((?:[^'\\]|\\.)*)'\s*:\s*'((?:[^'\\]|\\.)*)'", re.MULTILINE)
_LABEL_WIDTH = {False: 130, True: 100}  # right margin (px) that holds the baseline, target and projection labels


def chart_config(file_name: str) -> dict:
    """Plotly's config for a chart: Japanese buttons, and a PNG download under a meaningful file name."""
    return (
        _PLOTLY_CONFIG
        | {"toImageButtonOptions": {**_PLOTLY_CONFIG["toImageButtonOptions"], "filename": file_name}}
        | {"locale": "ja", "locales": {"ja": read_plotly_locale()}}
    )


@cache
def read_plotly_locale() -> dict:
    """plotly.js's Japanese dictionary and date words, read from its bundled locale module."""
    text = _PLOTLY_LOCALE.read_text(encoding="utf-8")
    dictionary_part, format_part = text.split("format:", 1)
    dictionary = dict(_LOCALE_ENTRY.findall(dictionary_part))

    def words(name: str) -> list[str]:
        return re.findall(r"'([^']*)'", re.search(rf"\b{name}:\s*\[(.*?)\]", format_part, re.DOTALL).group(1))

    date = re.search(r"date:\s*'([^']*)'", format_part).group(1)
    return {
        "dictionary": dictionary,
        "format": {name: words(name) for name in ("days", "shortDays", "months", "shortMonths")} | {"date": date},
    }


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
    path_years, path_values = trace_target_path(indicator)
    figure.add_trace(
        go.Scatter(
            x=path_years,
            y=path_values,
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
            mode="markers",
            marker={"symbol": "star", "size": 14, "color": _GUIDE},
            name="目標値",
            hovertemplate=f"目標値（{v.format_fiscal_year(int(indicator['target_year']))}）: %{{y}}{unit}<extra></extra>",
            showlegend=False,
        )
    )
    figure.add_hline(y=indicator["baseline_value"], line={"color": _GUIDE, "width": 1})
    labels = {
        "基準値": indicator["baseline_value"],
        "目標": indicator["target_value"],
    }
    if not compact and pd.notna(indicator.get("trend_slope")) and len(history) >= 2:
        first, target_year = years.min(), indicator["target_year"]
        start = indicator["projected_value"] + indicator["trend_slope"] * (first - target_year)
        figure.add_trace(
            go.Scatter(
                x=[first, target_year],
                y=[start, indicator["projected_value"]],
                mode="lines",
                line={"color": colour, "dash": "dash", "width": 1.5},
                name="傾向（最小二乗法）と目標年度の見込み",
                hoverinfo="skip",
            )
        )
        labels["見込み"] = indicator["projected_value"]
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
    low, high = fit_axis([history["value"], history["interval_low"], history["interval_high"], labels.values()], unit)
    _style(figure, unit, years, indicator, compact, (low, high))
    _label_right_margin(figure, labels, unit, (low, high), compact)
    return figure


def fit_axis(values: list, unit: str) -> tuple[float, float]:
    """An axis range that holds every value with a margin, so a change fills the plot instead of a sliver.

    Shares stay within 0–100% and counts above 0; the padding is 15% of the spread (at least 1 unit).
    """
    numbers = pd.to_numeric(pd.Series([x for group in values for x in group]), errors="coerce").dropna()
    low, high = float(numbers.min()), float(numbers.max())
    pad = max((high - low) * 0.15, 1.0)
    low, high = max(low - pad, 0.0), high + pad
    if unit == v.PERCENT:
        high = min(high, 100.0)
    return float(np.floor(low)), float(np.ceil(high))


def _label_right_margin(
    figure: go.Figure, labels: dict[str, float], unit: str, axis: tuple[float, float], compact: bool
) -> None:
    """Baseline, target and projection labels in the right margin at their heights, outside the data.

    Labels closer than a line of text are pushed apart (keeping their order), so none overlaps another.
    """
    font_size = 12 if compact else 14
    # The plot's height less margins, title and a legend that wraps to three lines on a phone.
    plot_height = figure.layout.height - (70 if compact else 260)
    gap = (axis[1] - axis[0]) * font_size * 1.35 / plot_height
    placed: list[float] = []
    for name, value in sorted(labels.items(), key=lambda item: item[1]):
        y = value if not placed else max(value, placed[-1] + gap)
        placed.append(y)
        figure.add_annotation(
            x=1,
            xref="paper",
            xanchor="left",
            xshift=6,
            y=y,
            yref="y",
            yanchor="middle",
            text=f"{name} {format_value(value, unit)}",
            showarrow=False,
            font={"size": font_size, "color": _GUIDE},
        )
    # A label pushed above the top of the axis would be cut off: pull the stack down from there.
    overshoot = placed[-1] - axis[1]
    if overshoot > 0:
        for annotation in figure.layout.annotations[-len(placed) :]:
            annotation.y -= overshoot
    figure.update_layout(margin={"r": _LABEL_WIDTH[compact]})


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
    # Both guide labels sit above the plot, each on its own line, so neither covers a group's dot.
    guides = {"目標": indicator["target_value"]}
    if pd.notna(indicator["expected"]):
        guides["目標達成ペース"] = indicator["expected"]
    for line, (name, value) in enumerate(guides.items()):
        figure.add_vline(x=value, line={"color": _GUIDE, "dash": "solid" if line == 0 else "dot"})
        figure.add_annotation(
            x=value,
            xref="x",
            y=1,
            yref="paper",
            yanchor="bottom",
            yshift=4 + 20 * line,
            text=f"{name} {format_value(value, unit)}",
            showarrow=False,
            font={"size": 12, "color": _GUIDE},
        )
    low, high = fit_axis([cells["value"], cells["interval_low"], cells["interval_high"], guides.values()], unit)
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 13},
        template="plotly_white",
        height=max(280, 34 * len(cells) + 140),
        margin={"l": 10, "r": 60, "t": 76, "b": 40},
        xaxis={"ticksuffix": unit, "range": [low, high], "title": None},
        yaxis={"autorange": "reversed", "title": None},
    )
    _note_axis_start(figure, "横軸", low, unit, 44, 12)
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
                text=[_count_label(status, count) for count in rows[status]],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
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
        uniformtext={"minsize": 11, "mode": "show"},
        xaxis={"title": None, "dtick": 1, "showgrid": False, "visible": False},
        yaxis={"autorange": "reversed", "title": None},
    )
    return figure


def _style(
    figure: go.Figure, unit: str, years: np.ndarray, indicator: pd.Series, compact: bool, axis: tuple[float, float]
) -> None:
    first = int(min(years.min(initial=indicator["baseline_year"]), indicator["baseline_year"]))
    years_shown = range(first, int(indicator["target_year"]) + 1)
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 12 if compact else 14},
        template="plotly_white",
        # The full chart carries its own title so that a downloaded PNG says what it shows.
        title=None
        if compact
        else {"text": f"{indicator['code']}　{indicator['name']}", "font": {"size": 16}, "y": 0.985, "yanchor": "top"},
        height=280 if compact else 480,
        margin={"l": 10, "r": 10, "t": 26 if compact else 60, "b": 10},
        legend={"orientation": "h", "y": -0.22},
        hovermode="closest",
        xaxis={
            # plotly spaces the ticks for the chart's width (every year, 2 or 5 years on a phone), so
            # the upright labels never run into each other; each reads with its era.
            "tickformat": "d",
            "labelalias": {str(year): f"{v.format_era_year(year)}<br>({year})" for year in years_shown},
            "range": [first - 0.5, indicator["target_year"] + 0.5],
            "tickangle": 0,
            "title": None,
        },
        yaxis={"ticksuffix": unit, "range": list(axis), "title": None, "nticks": 5 if compact else 8},
    )
    _note_axis_start(figure, "縦軸", axis[0], unit, 2, 11 if compact else 12)


def _note_axis_start(figure: go.Figure, axis_name: str, start: float, unit: str, shift: int, size: int) -> None:
    """Say in words, above the plot's left corner, that the axis does not start at zero."""
    if start <= 0:
        return
    figure.add_annotation(
        x=0,
        xref="paper",
        xanchor="left",
        y=1,
        yref="paper",
        yanchor="bottom",
        yshift=shift,
        text=f"{axis_name}は{start:g}{unit}から",
        showarrow=False,
        font={"size": size, "color": _GUIDE},
    )


def _count_label(status: str, count: int) -> str:
    """「▲1」; データなし's symbol 「－」 before a count would read as a minus sign, so it shows the count alone."""
    if not count:
        return ""
    return str(count) if status == v.NO_DATA else f"{v.STATUS_SYMBOLS[status]}{count}"


def _year_labels(years: np.ndarray) -> list[str]:
    return [v.format_fiscal_year(int(year)) for year in years]


def _margins(frame: pd.DataFrame, unit: str) -> list[str]:
    if unit != v.PERCENT:
        return [""] * len(frame)
    return ["（誤差不明）" if pd.isna(m) else f"±{m:.1f}pt" for m in frame["margin"]]


def _respondents(frame: pd.DataFrame) -> list[str]:
    return ["n 不明" if pd.isna(n) else f"n = {int(n):,}" for n in frame["respondents"]]
