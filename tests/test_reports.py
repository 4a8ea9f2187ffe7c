"""Reports: each exported file opened again with its own library shows the dashboard's figures."""

import io
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Stores
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_MARKER_STYLE
from pptx.oxml.ns import qn
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.bootstrap import prepare_store
from analytics.cli import main
from analytics.evaluation_settings import load_settings
from analytics.plan_admin import PLAN_FIELDS, revise_indicator, save_revision
from analytics.reports import FORMATS, file_name
from analytics.reports.html_report import render_html
from analytics.reports.pptx_report import FONT, render_pptx
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
    assert kinds[:3] == ["TitleSlide", "SummarySlide", "SummarySlide"]
    sequence = [
        slide.code if isinstance(slide, PolicySlide) else slide.indicator["code"] for slide in report.slides[3:-1]
    ]
    assert sequence == ["1", "1-①", "1-②", "1-③", "1-④", "1-⑤", "1-⑥", "2", "2-①", "2-②", "3", "3-①", "3-②", "3-③"]
    title = report.slides[0]
    assert isinstance(title, TitleSlide)
    assert title.plan_name == "川西市参画と協働のまちづくり推進計画"
    assert title.heading == "施策評価指標の進捗状況　令和6(2024)年度"
    assert title.details == ("対象: 計画全体", "評価方法: 直線法", "計画: 11月30日現在（版 2）", "2025年2月3日 作成")


def test_summary_lists_flagged_indicators_worst_first_with_reasons_over_two_slides(report: Report) -> None:
    first, rest = report.slides_of(SummarySlide)
    assert first.counts["範囲"].tolist() == ["基本方針1", "基本方針2", "基本方針3", "計画全体"]
    assert first.counts.set_index("範囲").loc["計画全体", ["指標数", "まとめ"]].tolist() == [11, "○ 順調"]
    flagged = [*first.flagged["指標"], *rest.flagged["指標"]]
    assert [text.split("　")[0] for text in flagged] == FLAGGED_CODES
    assert "目標達成ペースを下回る（差 −6.5pt、誤差 2.8pt を超える）" in first.flagged["理由"].iloc[1]


def test_indicator_slide_carries_the_dashboards_figures_and_its_commentary(
    report: Report, evaluated: tuple[Engine, PlanEvaluation]
) -> None:
    slide = next(s for s in report.slides_of(IndicatorSlide) if s.indicator["code"] == "1-②")
    history = evaluated[1].history_of("1-②")
    assert slide.facts[0] == "令和6(2024)年度: 52.3% ±2.8pt（n=1,213）"
    assert slide.facts[-1] == "状況: ▲ 遅れ（誤差を考えると △ やや遅れ の可能性あり）"
    assert slide.recent["年度"].tolist() == [f"令和{n}({2018 + n})年度" for n in range(3, 7)]
    assert slide.recent.iloc[-1]["誤差(95%)"] == "±2.8pt"
    assert slide.series.years == tuple(range(2015, 2026))
    assert slide.series.actual[:-1] == tuple(history["value"])
    assert slide.series.path[0] == slide.series.baseline[0] == 48.0
    assert slide.series.path[-1] == slide.series.target[-1] == 60.0
    assert slide.commentary == COMMENT
    assert re.fullmatch(r"企画課 田中（\d{4}年\d{1,2}月\d{1,2}日）", slide.commentary_by)


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


def test_pptx_has_a_slide_each_with_native_line_charts_holding_the_dashboards_values(
    report: Report, evaluated: tuple[Engine, PlanEvaluation]
) -> None:
    deck = Presentation(io.BytesIO(render_pptx(report)))
    assert len(deck.slides) == len(report.slides) == 18  # the last is the 評価方法 appendix
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 11
    # Made as LINE_MARKERS; python-pptx reads such a chart back as LINE once a series hides its markers
    # (the path and baseline do), so the XML is checked instead: one line chart with markers on.
    for chart in charts:
        assert chart._chartSpace.xpath("c:chart/c:plotArea/c:lineChart/c:marker/@val") == ["1"]
        assert chart.plots[0].series[0].marker.style == XL_MARKER_STYLE.CIRCLE
    indicator_slides = report.slides_of(IndicatorSlide)
    for chart, content in zip(charts, indicator_slides, strict=True):
        series = {s.name: s.values for s in chart.plots[0].series}
        assert list(series) == ["実績値", "目標達成ペース", "基準値", "目標値"]
        history = evaluated[1].history_of(content.indicator["code"])
        observed = [value for value in series["実績値"] if value is not None]
        assert observed == history["value"].tolist()
        assert series["目標値"][-1] == content.indicator["target_value"]


def test_pptx_sets_every_run_in_a_japanese_east_asian_font_and_says_status_in_words(report: Report) -> None:
    deck = Presentation(io.BytesIO(render_pptx(report)))
    for slide in deck.slides:
        properties = slide.shapes._spTree.iter(qn("a:rPr"))
        assert all(p.find(qn("a:ea")).get("typeface") == FONT and p.get("lang") == "ja-JP" for p in properties)
        assert any("サンプル（架空）データ" in shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    texts = _slide_texts(deck.slides[5])  # 1-②
    assert "▲ 遅れ" in texts
    assert COMMENT in texts
    assert "令和6(2024)年度: 52.3% ±2.8pt（n=1,213）" in texts


def _slide_texts(slide) -> str:
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    texts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


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
        assert all(type(chart).__name__ == "LineChart" and len(chart.series) == 4 for chart in charts)


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


@pytest.mark.parametrize(("format_name", "pages"), [("pptx", 18), ("xlsx", None)])
def test_an_office_suite_opens_the_file_and_prints_it_to_pdf(
    report: Report, libreoffice: str, tmp_path: Path, format_name: str, pages: int | None
) -> None:
    source = tmp_path / f"report.{format_name}"
    source.write_bytes(FORMATS[format_name].render(report))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"  # a private profile: runs may overlap
    subprocess.run(
        [libreoffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    printed = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert printed == pages if pages else printed >= 5


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


def test_every_format_ends_with_the_method_appendix_and_its_worked_example(report: Report) -> None:
    appendix = report.slides[-1]
    assert isinstance(appendix, MethodSlide)
    assert [heading for heading, _ in appendix.sections] == ["進み具合", "誤差の考え方", "年代・地域の区分"]
    assert appendix.example.startswith("例（1-③）: 1-③ の令和6(2024)年度の値は 42.3% で、")
    rule = "判定のしかた: 誤差を考慮した評価。"
    deck = Presentation(io.BytesIO(render_pptx(report)))
    last = " ".join(shape.text_frame.text for shape in deck.slides[-1].shapes if shape.has_text_frame)
    for text in ("付録　評価方法", rule, appendix.example):
        assert text in last
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["評価方法"]
    cells = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == "付録　評価方法"
    assert any(str(text).startswith(rule) for text in cells)
    assert cells[-1] == appendix.example
    page = render_html(report).decode("utf-8")
    for text in ('<section class="method">', rule, appendix.example):
        assert text in page
