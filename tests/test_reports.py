"""Reports: each exported file opened again with its own library shows the dashboard's figures."""

import io
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import Stores
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_MARKER_STYLE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Inches
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.bootstrap import prepare_store
from analytics.cli import main
from analytics.evaluation_settings import SettingsError, load_settings
from analytics.plan_admin import PLAN_FIELDS, revise_indicator, save_revision
from analytics.reports import FORMATS, file_name
from analytics.reports.html_report import render_html
from analytics.reports.pptx_report import (
    DEFAULT_TEMPLATE,
    FONT,
    FOOTER_NAME,
    TemplateError,
    check_template,
    configured_template,
    render_pptx,
)
from analytics.reports.report_content import (
    FLAGGED,
    IndicatorSlide,
    MethodSlide,
    PolicySlide,
    Report,
    ScopeError,
    SummarySlide,
    TitleSlide,
    build_report,
    trend_series,
)
from analytics.reports.xlsx_report import DETAIL_SHEET, OBSERVATION_SHEET, SUMMARY_SHEET, render_xlsx

COMMENT = "情報発信の手段を見直した。効果は次回の調査で確かめる。"
FLAGGED_CODES = ["1-⑤", "1-②", "1-④", "3-③", "3-①"]  # worst first, as on the overview page


@pytest.fixture(scope="module")
def evaluated(stores: Stores) -> tuple[Engine, PlanEvaluation]:
    engine = stores.prepare(stores.new_url())
    store.write_commentary(engine, "1-②", 2024, COMMENT, "企画課 田中")
    plan = store.read_plans(engine)[-1]
    settings = load_settings()
    return engine, evaluate_plan(plan.indicators, store.read_observations(engine), settings, None, settings.method)


def _report(evaluated: tuple[Engine, PlanEvaluation], scope: str = "all") -> Report:
    engine, evaluation = evaluated
    plan = store.read_plans(engine)[-1]
    commentary = store.read_commentary(engine, evaluation.year)
    return build_report(evaluation, plan, commentary, scope=scope, sample=True, today=date(2025, 2, 3))


@pytest.fixture(scope="module")
def report(evaluated: tuple[Engine, PlanEvaluation]) -> Report:
    return _report(evaluated)


def test_whole_plan_report_has_title_summary_then_each_policy_followed_by_its_indicators(report: Report) -> None:
    kinds = [type(slide).__name__ for slide in report.slides]
    assert kinds[:6] == ["TitleSlide", *["SummarySlide"] * 4, "GuideSlide"]
    sequence = [
        slide.code if isinstance(slide, PolicySlide) else slide.indicator["code"] for slide in report.slides[6:-1]
    ]
    assert sequence == ["1", "1-①", "1-②", "1-③", "1-④", "1-⑤", "1-⑥", "2", "2-①", "2-②", "3", "3-①", "3-②", "3-③"]
    title = report.slides[0]
    assert isinstance(title, TitleSlide)
    assert title.plan_name == "川西市参画と協働のまちづくり推進計画"
    assert title.heading == "施策評価指標の進捗状況　令和6(2024)年度"
    assert title.details == ("対象: 計画全体", "評価方法: 直線法", "計画: 11月30日現在（版 2）", "令和7年2月3日 作成")


def test_summary_counts_every_flagged_indicator_and_lists_them_worst_first_with_reasons(report: Report) -> None:
    counts, *shares = report.slides_of(SummarySlide)
    assert counts.counts["範囲"].tolist() == ["基本方針1", "基本方針2", "基本方針3", "計画全体"]
    assert counts.counts.set_index("範囲").loc["計画全体", ["指標数", "まとめ"]].tolist() == [11, "○ 順調"]
    assert [(s.heading, s.flagged_heading, len(s.flagged)) for s in (counts, *shares)] == [
        ("全体の状況", "要注意の指標（5）", 0),
        ("要注意の指標（5）", "要注意の指標（5）", 2),
        ("要注意の指標（5）（続き）", "要注意の指標（5）", 2),
        ("要注意の指標（5）（続き）", "要注意の指標（5）", 1),
    ]
    flagged = [text for share in shares for text in share.flagged["指標"]]
    assert [text.split("　")[0] for text in flagged] == FLAGGED_CODES
    assert "目標達成ペースを下回る（差 −6.5pt、誤差 2.8pt を超える）" in shares[0].flagged["理由"].iloc[1]


def test_indicator_slide_carries_the_dashboards_figures_and_its_commentary(
    report: Report, evaluated: tuple[Engine, PlanEvaluation]
) -> None:
    slide = next(s for s in report.slides_of(IndicatorSlide) if s.indicator["code"] == "1-②")
    history = evaluated[1].history_of("1-②")
    assert slide.facts == (
        "令和6(2024)年度: 52.3% ±2.8pt（n=1,213）",
        "進捗率 36%（計画どおりなら 90%）",
        "基準値 48.0%（平成27(2015)年度） → 目標値 60.0%（令和7(2025)年度）",
    )
    assert slide.reasons == tuple(evaluated[1].indicators.set_index("code").loc["1-②", "reasons"])
    assert slide.notes == (
        "誤差を考えると △ やや遅れ の可能性あり",
        "前回（令和5(2023)年度）からの変化 +0.3pt は誤差の範囲（誤差 ±3.9pt）",
    )
    assert slide.recent["年度"].tolist() == [f"令和{n}({2018 + n})年度" for n in range(3, 7)]
    assert slide.recent.iloc[-1]["誤差(95%)"] == "±2.8pt"
    assert slide.series.years == tuple(range(2015, 2026))
    assert slide.series.actual[:-1] == tuple(history["value"])
    assert slide.series.path[0] == slide.series.baseline[0] == 48.0
    assert slide.series.path[-1] == slide.series.target[-1] == 60.0
    assert slide.commentary == COMMENT
    assert re.fullmatch(r"企画課 田中（令和\d+年\d{1,2}月\d{1,2}日）", slide.commentary_by)


@pytest.mark.parametrize(
    ("scope", "codes"),
    [(FLAGGED, FLAGGED_CODES), ("2", ["2-①", "2-②"])],
)
def test_scope_keeps_only_the_flagged_indicators_or_one_policy(
    evaluated: tuple[Engine, PlanEvaluation], scope: str, codes: list[str]
) -> None:
    scoped = _report(evaluated, scope)
    assert sorted(s.indicator["code"] for s in scoped.slides_of(IndicatorSlide)) == sorted(codes)
    assert sorted(scoped.indicators["code"]) == sorted(codes)
    assert set(scoped.history["indicator_code"]) == set(codes)
    policies = sorted({code.split("-")[0] for code in codes})
    assert [s.code for s in scoped.slides_of(PolicySlide)] == policies
    assert scoped.slides_of(SummarySlide)[0].counts["範囲"].tolist() == [f"基本方針{p}" for p in policies] + [
        "計画全体"
    ]


def test_unknown_scope_is_refused_with_the_choices(evaluated: tuple[Engine, PlanEvaluation]) -> None:
    with pytest.raises(ScopeError, match="all、flagged、1、2、3"):
        _report(evaluated, "9")


def test_file_name_says_what_year_and_scope(report: Report) -> None:
    assert file_name(report, "pptx") == "施策評価指標_令和6(2024)年度_計画全体.pptx"


@pytest.fixture(scope="module")
def deck(report: Report) -> Presentation:
    return Presentation(io.BytesIO(render_pptx(report)))


def _slide_texts(slide) -> str:
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    texts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def _slide_titled(deck: Presentation, title: str):
    return next(slide for slide in deck.slides if slide.shapes.title.text_frame.text == title)


def test_pptx_has_a_native_line_chart_per_indicator_holding_the_dashboards_values_band_and_projection(
    report: Report, deck: Presentation, evaluated: tuple[Engine, PlanEvaluation]
) -> None:
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 11
    # Made as LINE_MARKERS; python-pptx reads such a chart back as LINE once a series hides its markers
    # (the path and baseline do), so the XML is checked instead: one line chart with markers on.
    for chart in charts:
        assert chart._chartSpace.xpath("c:chart/c:plotArea/c:lineChart/c:marker/@val") == ["1"]
        assert chart.plots[0].series[0].marker.style == XL_MARKER_STYLE.CIRCLE
        assert not chart._chartSpace.xpath(".//c:dLbl")  # no data label sits on a line
    for chart, content in zip(charts, report.slides_of(IndicatorSlide), strict=True):
        series = {s.name: s.values for s in chart.plots[0].series}
        assert list(series) == [
            "実績値",
            "95%区間",
            "95%区間（下限）",
            "目標達成ペース",
            "傾向と目標年度の見込み",
            "基準値",
            "目標値",
        ]
        indicator, history = content.indicator, evaluated[1].history_of(content.indicator["code"])
        observed = [value for value in series["実績値"] if value is not None]
        assert observed == history["value"].tolist()
        assert series["目標値"][-1] == indicator["target_value"]
        if indicator["unit"] == v.PERCENT:
            assert [x for x in series["95%区間"] if x is not None] == history["interval_high"].round(2).tolist()
            assert [x for x in series["95%区間（下限）"] if x is not None] == history["interval_low"].round(2).tolist()
        # The projection the reasons quote ends in the target year at its projected value.
        assert series["傾向と目標年度の見込み"][-1] == pytest.approx(indicator["projected_value"], abs=0.01)


@pytest.mark.parametrize(("code", "low", "high"), [("1-④", 14, 35), ("1-②", 42, 63), ("2-②", 115, 155)])
def test_pptx_value_axis_is_fitted_to_the_data_so_a_change_is_visible(
    deck: Presentation, code: str, low: float, high: float
) -> None:
    slide = next(
        s
        for s in deck.slides
        if s.shapes.title.text_frame.text.startswith(f"{code}　") and any(x.has_chart for x in s.shapes)
    )
    axis = next(shape.chart for shape in slide.shapes if shape.has_chart).value_axis
    assert (axis.minimum_scale, axis.maximum_scale) == (low, high)


def test_every_pptx_slide_has_its_title_in_the_title_placeholder_and_body_text_of_18pt_or_more(
    report: Report, deck: Presentation
) -> None:
    titles = [slide.shapes.title.text_frame.text if slide.shapes.title else None for slide in deck.slides]
    assert all(titles)
    assert titles[:6] == [
        "川西市参画と協働のまちづくり推進計画",
        "全体の状況",
        "要注意の指標（5）",
        "要注意の指標（5）（続き）",
        "要注意の指標（5）（続き）",
        "評価の見かた",
    ]
    assert [slide.slide_layout.name for slide in deck.slides][:2] == ["Title Slide", "Title Only"]
    for slide in deck.slides:
        assert sum(shape.has_chart for shape in slide.shapes) <= 1
        body = [shape for shape in slide.shapes if shape.name != FOOTER_NAME and not shape.has_chart]
        sizes = {int(p.get("sz")) for shape in body for p in shape._element.iter(qn("a:rPr"))}
        assert min(sizes) >= 1800, titles[deck.slides.index(slide)]
    assert all(len(content.facts) <= 3 for content in report.slides_of(IndicatorSlide))


def test_pptx_says_its_numbers_flagged_count_notes_and_commentary_in_words(deck: Presentation) -> None:
    overview = _slide_texts(_slide_titled(deck, "全体の状況"))
    assert "要注意の指標（5）は、次のスライドから悪い順に理由とともに示します。" in overview
    chart_slide = _slide_texts(_slide_titled(deck, "1-②　必要な市の情報が入手できると感じている市民の割合"))
    assert "▲ 遅れ" in chart_slide
    assert "令和6(2024)年度: 52.3% ±2.8pt（n=1,213）" in chart_slide
    assert "進捗率 36%（計画どおりなら 90%）" in chart_slide
    assert "目標達成ペース 58.8%" not in chart_slide
    why = _slide_texts(_slide_titled(deck, "1-②　理由と注記・所見"))
    assert COMMENT in why
    assert "※ 前回（令和5(2023)年度）からの変化 +0.3pt は誤差の範囲（誤差 ±3.9pt）" in why
    # Without a 所見 there is no 所見 box, only the reasons and notes.
    plain = _slide_texts(_slide_titled(deck, "1-①　理由と注記"))
    assert "※ 目標達成ペースとの差は誤差の範囲（差 −0.3pt、誤差 2.8pt 以内）" in plain
    assert "所見" not in plain
    legend = _slide_texts(_slide_titled(deck, "評価の見かた"))
    for text in ("◎ 達成", "目標値に届いた", "✕ 悪化", "95%区間", "傾向と見込み"):
        assert text in legend


def test_pptx_sets_every_run_in_a_japanese_east_asian_font_with_the_sample_notice(deck: Presentation) -> None:
    for slide in deck.slides:
        properties = slide.shapes._spTree.iter(qn("a:rPr"))
        assert all(p.find(qn("a:ea")).get("typeface") == FONT and p.get("lang") == "ja-JP" for p in properties)
        assert any("サンプル（架空）データ" in shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert deck.slides[-1].shapes.title.text_frame.text.startswith("付録　評価方法")
    numbers = [
        next(s.text_frame.text for s in slide.shapes if s.name == FOOTER_NAME and "/" in s.text_frame.text)
        for slide in deck.slides
    ]
    assert numbers == [f"{n} / {len(deck.slides)}" for n in range(1, len(deck.slides) + 1)]


def _city_template(path: Path, *, keep_titles: bool = True) -> Path:
    """A 4:3 template whose layouts are in another order, named in Japanese, as a city's would be."""
    template = Presentation()
    layouts = template.slide_layouts._sldLayoutIdLst
    ids = list(layouts)
    for layout_id in ids:
        layouts.remove(layout_id)
    for layout_id in reversed(ids):
        layouts.append(layout_id)
    for layout in template.slide_layouts:
        layout.name = f"市の{layout.name}"
        if not keep_titles:
            for placeholder in list(layout.placeholders):
                if placeholder.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
                    placeholder._element.getparent().remove(placeholder._element)
    template.save(str(path))
    return path


def test_pptx_builds_on_a_city_template_finding_its_layouts_by_placeholder(report: Report, tmp_path: Path) -> None:
    deck = Presentation(io.BytesIO(render_pptx(report, _city_template(tmp_path / "city.pptx"))))
    assert deck.slide_width == Inches(10)  # the city's own slide size and master
    names = [slide.slide_layout.name for slide in deck.slides]
    assert names[0] == "市のTitle Slide"
    assert set(names[1:]) == {"市のTitle Only"}
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides]
    assert all(titles)
    # At 4:3 the chart legend leaves the status table its own slide instead of squeezing beside it.
    assert titles[5:7] == ["評価の見かた", "評価の見かた（続き）"]


def test_a_template_without_a_title_layout_is_refused_with_one_sentence(report: Report, tmp_path: Path) -> None:
    template = _city_template(tmp_path / "notitle.pptx", keep_titles=False)
    with pytest.raises(
        TemplateError, match=r"^テンプレート「notitle.pptx」にタイトルのプレースホルダーを持つレイアウト"
    ):
        render_pptx(report, template)
    with pytest.raises(TemplateError, match=r"PowerPoint ファイル（\.pptx）として開けない"):
        render_pptx(report, tmp_path / "missing.pptx")
    with pytest.raises(TemplateError, match=r"^テンプレート「notitle.pptx」にタイトル"):
        check_template(template)
    assert check_template() == DEFAULT_TEMPLATE


def test_the_settings_file_names_the_template_beside_it_and_ships_the_default(tmp_path: Path) -> None:
    assert configured_template() == DEFAULT_TEMPLATE
    assert DEFAULT_TEMPLATE.parent.name == "data"
    assert DEFAULT_TEMPLATE.is_file()
    settings = tmp_path / "evaluation.toml"
    settings.write_text('[reports]\ntemplate = "city.pptx"\n', encoding="utf-8")
    assert configured_template(settings) == tmp_path / "city.pptx"
    settings.write_text('[reports]\ntemplte = "city.pptx"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="知らない項目「templte」"):
        configured_template(settings)


def test_export_template_option_builds_on_the_city_template_or_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    output = tmp_path / "report.pptx"
    template = _city_template(tmp_path / "city.pptx")
    assert main(["export", "--format", "pptx", "--output", str(output), "--template", str(template)]) == 0
    assert Presentation(str(output)).slides[1].slide_layout.name == "市のTitle Only"
    broken = _city_template(tmp_path / "notitle.pptx", keep_titles=False)
    assert main(["export", "--format", "pptx", "--output", str(tmp_path / "b.pptx"), "--template", str(broken)]) == 1
    assert "タイトルのプレースホルダーを持つレイアウト" in capsys.readouterr().err
    assert not (tmp_path / "b.pptx").exists()
    assert main(["export", "--format", "html", "--output", str(tmp_path / "r.html"), "--template", str(template)]) == 2


def test_xlsx_has_summary_with_status_rules_every_observation_and_a_chart_per_indicator(
    report: Report, evaluated: tuple[Engine, PlanEvaluation]
) -> None:
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    assert workbook.sheetnames == [
        SUMMARY_SHEET,
        DETAIL_SHEET,
        OBSERVATION_SHEET,
        "基本方針1",
        "基本方針2",
        "基本方針3",
        "評価方法",
    ]
    summary = workbook[SUMMARY_SHEET]
    rules = {rule.formula[0]: rule for cf in summary.conditional_formatting for rule in cf.rules}
    behind = rules['OR(TRIM(A1)="遅れ",A1="▲ 遅れ",LEFT(A1,5)="▲ 遅れ（")']
    assert len(rules) == len(v.STATUSES)
    assert behind.type == "expression"
    assert behind.dxf.fill.fgColor.rgb.endswith(v.STATUS_COLOURS[v.BEHIND].removeprefix("#"))
    rows = {row[0]: row for row in summary.iter_rows(values_only=True)}
    assert [rows["1-②"][i] for i in (2, 3, 7, 9)] == [52.3, pytest.approx(2.8, abs=0.05), "▲ 遅れ", COMMENT]
    details = {row[0]: row for row in workbook[DETAIL_SHEET].iter_rows(values_only=True)}
    assert details["1-②"][6] == 1213
    observations = list(workbook[OBSERVATION_SHEET].iter_rows(values_only=True))
    evaluation = evaluated[1]
    assert len(observations) - 1 == len(evaluation.history) + len(evaluation.breakdowns)
    header = observations[0]
    latest = next(r for r in observations if r[2] == "1-②" and r[0] == 2024 and r[4] == "全体")
    assert latest[header.index("回答者数")] == 1213
    assert latest[header.index("誤差(±pt)")] == pytest.approx(evaluation.indicators.iloc[1]["margin"])
    for code, count in (("1", 6), ("2", 2), ("3", 3)):
        charts = workbook[f"基本方針{code}"]._charts
        assert len(charts) == count
        assert all(type(chart).__name__ == "LineChart" and len(chart.series) == 7 for chart in charts)
        # The band's lower line stays out of the legend: its upper line names the band.
        assert all([(entry.idx, entry.delete) for entry in chart.legend.legendEntry] == [(2, True)] for chart in charts)
        headers = [row for row in workbook[f"基本方針{code}"].iter_rows(values_only=True) if row[0] == "年度"]
        assert {row[:8] for row in headers} == {
            (
                "年度",
                "実績値",
                "95%区間",
                "95%区間（下限）",
                "目標達成ペース",
                "傾向と目標年度の見込み",
                "基準値",
                "目標値",
            )
        }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        self.targets += [value or "" for name, value in attributes if name in {"src", "href"}]


def test_html_is_one_offline_file_with_plotly_inside_and_a4_page_breaks(report: Report) -> None:
    document = render_html(report).decode("utf-8")
    links = _Links()
    links.feed(document)
    assert not [target for target in links.targets if re.match(r"(https?:)?//", target)]
    markup = re.sub(r"<script>.*?</script>", "", document, flags=re.DOTALL)
    assert not re.search(r"@import|@font-face|url\(|https?://", markup)
    assert "plotly.js v" in document[:200_000]  # the library itself, not a CDN link
    assert document.count("Plotly.newPlot(") == 11
    assert "size: A4" in document
    assert "section.policy { break-before: page; }" in document
    assert document.count('<section class="policy">') == 3
    assert COMMENT in document
    assert "サンプル（架空）データ" in document


def test_html_draws_band_and_projection_and_says_notes_progress_and_method_without_empty_commentary(
    report: Report,
) -> None:
    page = render_html(report).decode("utf-8")
    names = [json.loads(f'"{name}"') for name in re.findall(r'"name":"([^"]*)"', page)]
    assert names.count("95%信頼区間") == 10  # every share; the count 2-② has no sampling error
    assert names.count("傾向（最小二乗法）と目標年度の見込み") == 11
    assert "<h3>要注意の指標（5）</h3>" in page
    assert "<h2>要注意の指標（5）（続き）</h2>" in page
    assert "※ 目標達成ペースとの差は誤差の範囲（差 −0.3pt、誤差 2.8pt 以内）" in page
    assert "進捗率 36%（計画どおりなら 90%）" in page
    assert "（目標達成ペース 58.8%）" not in page
    assert '<section class="guide">' in page
    assert "令和7年2月3日 作成" in page
    assert page.count("<strong>所見</strong>") == 1  # only 1-② has one
    assert "所見はまだありません" not in page


def test_xlsx_summary_carries_the_notes_of_every_indicator(report: Report) -> None:
    summary = load_workbook(io.BytesIO(render_xlsx(report)))[SUMMARY_SHEET]
    rows = list(summary.iter_rows(values_only=True))
    header = next(row for row in rows if row[0] == "指標")
    notes = {row[0]: row[header.index("注意点・注記")] for row in rows[rows.index(header) + 1 :]}
    assert "※ 目標達成ペースとの差は誤差の範囲（差 −0.3pt、誤差 2.8pt 以内）" in notes["1-①"].split("\n")


def test_export_command_writes_each_format_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    for format_name in FORMATS:
        output = tmp_path / f"report.{format_name}"
        assert main(["export", "--format", format_name, "--output", str(output), "--year", "2023"]) == 0
        assert output.stat().st_size > 10_000
    assert "令和5(2023)年度、計画全体" in capsys.readouterr().out
    deck = Presentation(str(tmp_path / "report.pptx"))
    assert "令和5(2023)年度" in deck.slides[0].shapes[1].text_frame.text


def test_export_names_the_plan_revision_and_uses_the_plan_of_the_time_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    engine = prepare_store(database_url)
    plan = store.read_plans(engine)[-1]
    row = plan.indicators.set_index("code").loc["1-①"]
    values = {spec.column: row[spec.column] for spec in PLAN_FIELDS} | {"target_value": 70.0}
    saved = datetime(2026, 5, 10, 1, 30, tzinfo=UTC)
    save_revision(engine, plan, revise_indicator(plan, "1-①", values), "管理太郎", "目標の見直し", saved)
    output = tmp_path / "report.html"
    for arguments, revision in (([], "2026年5月10日改定（版 3）"), (["--plan-then"], "11月30日現在（版 2）")):
        assert main(["export", "--format", "html", "--output", str(output), "--year", "2023", *arguments]) == 0
        assert f"計画: {revision}）。" in capsys.readouterr().out
        assert f"計画: {revision}" in output.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--scope", "9"], "範囲「9」はありません"),
        (["--year", "1999"], "1999 年度の調査結果はありません"),
        (["--output", "/no/such/folder/report.pptx"], "書き出し先のフォルダがありません"),
    ],
)
def test_export_command_refuses_bad_arguments_with_exit_2(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    command = ["export", "--format", "pptx", "--output", str(tmp_path / "report.pptx"), *arguments]
    assert main(command) == 2
    assert message in capsys.readouterr().err


def test_export_command_on_a_store_without_survey_results_exits_1_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    store.undo_batch(prepare_store(database_url), 1, "山田")
    assert main(["export", "--format", "html", "--output", str(tmp_path / "report.html")]) == 1
    assert "調査結果がまだ登録されていません" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


def test_export_command_needs_a_known_format() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "--format", "docx", "--output", "report.docx"])
    assert exited.value.code == 2


@pytest.fixture(scope="module")
def libreoffice() -> str:
    """LibreOffice's command; missing it skips locally but fails in CI, where .ci/run installs it."""
    command = shutil.which("libreoffice") or shutil.which("soffice")
    if command is None:
        if os.environ.get("CI"):
            pytest.fail(
                "libreoffice がありません。.ci/run が libreoffice-impress と libreoffice-calc を入れるはずです。"
            )
        pytest.skip(
            "libreoffice がないため、PDF への変換の確認を省略します（apt-get install libreoffice-impress libreoffice-calc）"
        )
    return command


def _print_to_pdf(libreoffice: str, source: Path) -> Path:
    """The file as LibreOffice prints it, in a private profile because runs may overlap."""
    profile = f"-env:UserInstallation=file://{source.parent / 'profile'}"
    subprocess.run(
        [libreoffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(source.parent), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return source.with_suffix(".pdf")


def _printed_pages(pdf: Path) -> list[str]:
    """Each page's text with all white space removed (LibreOffice spaces Latin runs inside Japanese)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def _smallest_printed_size(pdf: Path) -> float:
    """The smallest text on any page, in points: pdftotext's word boxes span the font's ascent and descent,
    1.3 times its size for the Japanese fonts LibreOffice falls back to (Noto Sans CJK)."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    heights = [
        float(high) - float(low) for low, high in re.findall(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', boxes)
    ]
    return min(heights) / 1.3


@pytest.fixture(scope="module")
def poppler() -> None:
    """pdftotext and pdffonts (poppler-utils); missing them skips locally but fails in CI, where .ci/run installs them."""
    if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext がありません。.ci/run が poppler-utils を入れるはずです。")
        pytest.skip("pdftotext がないため、印刷結果の確認を省略します（apt-get install poppler-utils）")


def test_the_pptx_printed_to_pdf_has_each_slides_title_its_page_number_readable_text_and_a_japanese_font(
    report: Report, deck: Presentation, libreoffice: str, poppler: None, tmp_path: Path
) -> None:
    source = tmp_path / "report.pptx"
    source.write_bytes(render_pptx(report))
    pdf = _print_to_pdf(libreoffice, source)
    pages = _printed_pages(pdf)
    # A title's parts (「1-①」「住んでいる…」) may print apart, with the policy's label between them, and a
    # long part wraps with its second line elsewhere in the text order: each part's start is looked for.
    titles = [
        [re.sub(r"\s+", "", part) for part in slide.shapes.title.text_frame.text.split("　")] for slide in deck.slides
    ]
    assert len(pages) == len(titles)
    for number, (page, title) in enumerate(zip(pages, titles, strict=True), start=1):
        assert all(part[:10] in page for part in title), f"{number} 枚目に題名「{'　'.join(title)}」がありません"
        assert f"{number}/{len(pages)}" in page
    # Body text is 18pt; footers and chart labels, the smallest, 14pt: readable from a council's back row.
    assert _smallest_printed_size(pdf) >= 13.5
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"CJK|Meiryo|Gothic|ゴシック", fonts)


def test_an_indicator_without_any_value_yet_still_gets_its_slide_in_every_format(
    evaluated: tuple[Engine, PlanEvaluation],
) -> None:
    engine, _ = evaluated
    plan = store.read_plans(engine)[-1]
    observations = store.read_observations(engine)
    settings = load_settings()
    evaluation = evaluate_plan(
        plan.indicators, observations[observations["indicator_code"] != "2-①"], settings, None, settings.method
    )
    report = build_report(evaluation, plan, store.read_commentary(engine, 2024), sample=True, today=date(2025, 2, 3))
    slide = next(s for s in report.slides_of(IndicatorSlide) if s.indicator["code"] == "2-①")
    assert set(slide.series.actual) == {None}
    assert slide.indicator["status"] == v.NO_DATA
    assert all(report_format.render(report) for report_format in FORMATS.values())


def test_every_format_ends_with_the_method_appendix_and_its_worked_example(report: Report, deck: Presentation) -> None:
    appendix = report.slides[-1]
    assert isinstance(appendix, MethodSlide)
    assert [heading for heading, _ in appendix.sections] == ["進み具合", "誤差の考え方", "年代・地域の区分"]
    assert appendix.example.startswith("例（1-③）: 1-③ の令和6(2024)年度の値は 42.3% で、")
    rule = "判定のしかた: 誤差を考慮した評価。"
    appendix_slides = [s for s in deck.slides if s.shapes.title.text_frame.text.startswith("付録　評価方法")]
    assert appendix_slides == list(deck.slides)[-len(appendix_slides) :]
    last = " ".join(_slide_texts(slide) for slide in appendix_slides)
    for text in (rule, appendix.example):
        assert text in last
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["評価方法"]
    cells = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == "付録　評価方法"
    assert any(str(text).startswith(rule) for text in cells)
    assert cells[-1] == appendix.example
    page = render_html(report).decode("utf-8")
    for text in ('<section class="method">', rule, appendix.example):
        assert text in page


def test_the_office_charts_path_runs_through_the_yearly_targets() -> None:
    history = pd.DataFrame({"fiscal_year": [2016, 2018], "value": [41.0, 44.0]})
    indicator = pd.Series(
        {
            "baseline_year": 2015,
            "baseline_value": 40.0,
            "target_year": 2020,
            "target_value": 60.0,
            "yearly_targets": ((2017, 42.0), (2019, 50.0)),
            "unit": "件",
            "trend_slope": float("nan"),
            "projected_value": float("nan"),
        }
    )
    series = trend_series(history, indicator)
    assert (series.years, series.path) == ((2015, 2016, 2017, 2018, 2019, 2020), (40.0, 41.0, 42.0, 46.0, 50.0, 60.0))
