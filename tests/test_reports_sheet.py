"""The 施策評価シート in the reports: one content per 基本施策, found again in the Excel, HTML and PowerPoint files."""

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import Stores
from openpyxl import load_workbook
from pptx import Presentation
from sqlalchemy.engine import Engine

from analytics import store
from analytics.actions.settings import ActionSettings
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.cli import main
from analytics.evaluation_settings import load_settings
from analytics.reports.evaluation_sheet import NO_SECONDARY, read_action_records
from analytics.reports.html_report import render_html
from analytics.reports.pptx_report import render_pptx
from analytics.reports.report_content import Report, build_report
from analytics.reports.xlsx_report import render_xlsx

MEASURES = ["1.1", "1.2", "2.1", "2.2", "3.1"]
COMMENT = "推進委員会: 情報発信の遅れを重く見た"
PRIMARY_REASON = "指標 5 件中 3 件が順調以上、取組項目 7 件中 5 件が○ 計画どおり以上（平均 66%）のため B おおむね順調。"
# The fictional sample reports of FY2024 for 基本施策1.1 (data/sample/actions, fixed seed).
ACTIONS_1_1 = pd.DataFrame(
    {
        "コード": ["1-①", "1-②", "1-③", "1-④", "1-⑤", "1-⑥", "1-⑦"],
        "実施状況": [
            "◎ 計画以上",
            "○ 計画どおり",
            "○ 計画どおり",
            "◎ 計画以上",
            "△ 一部未実施",
            "△ 一部未実施",
            "○ 計画どおり",
        ],
        "今後の方向性": ["拡充", "継続", "継続", "拡充", "継続", "改善", "継続"],
    }
)


@pytest.fixture(scope="module")
def evaluated(stores: Stores) -> tuple[Engine, PlanEvaluation]:
    engine = stores.prepare(stores.new_url())
    store.write_secondary_evaluation(engine, "1.1", 2024, "C", COMMENT, "管理太郎")
    settings = load_settings()
    plan = store.read_plans(engine)[-1]
    return engine, evaluate_plan(plan.indicators, store.read_observations(engine), settings, 2024, settings.method)


def _report(evaluated: tuple[Engine, PlanEvaluation], scope: str = "all") -> Report:
    engine, evaluation = evaluated
    return build_report(
        evaluation,
        store.read_plans(engine)[-1],
        store.read_commentary(engine, 2024),
        scope=scope,
        sample=True,
        today=date(2025, 2, 3),
        actions=read_action_records(engine, 2024, ActionSettings()),
    )


@pytest.fixture(scope="module")
def report(evaluated: tuple[Engine, PlanEvaluation]) -> Report:
    return _report(evaluated)


def test_the_report_carries_one_sheet_per_measure_with_indicators_actions_and_both_evaluations(report: Report) -> None:
    assert [sheet.code for sheet in report.evaluation_sheets] == MEASURES
    sheet = report.evaluation_sheets[0]
    assert sheet.title == "令和6(2024)年度 施策評価シート　基本施策1.1　情報共有と発信の仕組みづくり"
    assert (sheet.policy_label, sheet.departments) == ("基本方針1", "担当課未設定")
    assert sheet.indicators.columns.tolist() == ["指標", "指標名", "値", "目標値", "状況", "理由"]
    assert sheet.indicators["指標"].tolist() == ["1-①", "1-②", "1-③", "1-④", "1-⑤", "1-⑥"]
    assert sheet.indicators.set_index("指標").loc["1-②", ["値", "目標値", "状況"]].tolist() == [
        "52.3% ±2.8pt（n=1,213）",
        "60.0%（令和7(2025)年度）",
        "▲ 遅れ（誤差を考えると △ やや遅れ の可能性あり）",
    ]
    assert sheet.actions.columns.tolist() == [
        "コード",
        "取組項目",
        "担当課",
        "実施状況",
        "実績",
        "課題",
        "今後の方向性",
    ]
    pd.testing.assert_frame_equal(sheet.actions[["コード", "実施状況", "今後の方向性"]], ACTIONS_1_1)
    assert sheet.actions["実績"].iloc[0] == "（サンプル）計画どおり実施した。（開催 1回、参加 174人）"
    assert (sheet.primary, sheet.primary_reason) == ("B おおむね順調", PRIMARY_REASON)
    assert (sheet.secondary, sheet.secondary_comment) == ("C やや遅れ", COMMENT)
    assert sheet.difference == "一次評価（B おおむね順調）と異なる"
    assert {(s.secondary, s.difference) for s in report.evaluation_sheets[1:]} == {("—", NO_SECONDARY)}


@pytest.mark.parametrize(
    ("scope", "measures", "policies"),
    [("1.2", ["1.2"], ["1"]), ("2", ["2.1", "2.2"], ["2"]), ("flagged", [], ["1", "3"])],
)
def test_a_measure_scope_keeps_its_policys_indicators_and_its_own_sheet(
    evaluated: tuple[Engine, PlanEvaluation], scope: str, measures: list[str], policies: list[str]
) -> None:
    scoped = _report(evaluated, scope)
    assert [sheet.code for sheet in scoped.evaluation_sheets] == measures
    assert sorted(set(scoped.indicators["policy_code"])) == policies


def test_xlsx_has_a_printable_sheet_per_measure_with_action_statuses_and_both_evaluations(report: Report) -> None:
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    assert workbook.sheetnames[-5:] == [f"基本施策{code}" for code in MEASURES]
    sheet = workbook["基本施策1.1"]
    assert sheet["A1"].value == report.evaluation_sheets[0].title
    assert [[sheet.cell(row, column).value for column in (1, 3, 4)] for row in range(4, 8)] == [
        ["評価", "評価結果", "理由・コメント"],
        ["一次評価（提案）", "B おおむね順調", PRIMARY_REASON],
        ["二次評価", "C やや遅れ", COMMENT],
        ["一次・二次の差", "あり", "一次評価（B おおむね順調）と異なる"],
    ]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(("コード", "取組項目", "担当課", "実施状況", "実績", "課題", "今後の方向性"))
    actions = pd.DataFrame(rows[header + 1 :], columns=rows[header])
    pd.testing.assert_frame_equal(actions[["コード", "実施状況", "今後の方向性"]], ACTIONS_1_1)
    indicator_rows = {row[0]: row for row in rows[:header] if row[0] and str(row[0]).startswith("1-")}
    assert indicator_rows["1-②"][4] == "▲ 遅れ（誤差を考えると △ やや遅れ の可能性あり）"
    assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)
    assert sheet.print_title_rows == "$1:$2"


def test_html_has_a_section_per_measure_on_its_own_printed_page(report: Report) -> None:
    document = render_html(report).decode("utf-8")
    assert "section.sheet { break-before: page; }" in document
    sections = re.findall(r'<section class="sheet">(.*?)</section>', document, flags=re.DOTALL)
    assert len(sections) == len(MEASURES)
    first = sections[0]
    assert f"<h2>{report.evaluation_sheets[0].title}</h2>" in first
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", first)
    for text in ("B おおむね順調", PRIMARY_REASON, "C やや遅れ", COMMENT, "一次評価（B おおむね順調）と異なる"):
        assert text in cells
    body = first.split("取組項目の実施状況")[1].split("<tbody>")[1]
    statuses = [re.findall(r"<td[^>]*>([^<]*)</td>", row)[3] for row in re.findall(r"<tr>(.*?)</tr>", body)]
    assert statuses == ACTIONS_1_1["実施状況"].tolist()


def test_pptx_has_slides_per_measure_with_both_evaluations_and_the_action_statuses(report: Report) -> None:
    deck = Presentation(io.BytesIO(render_pptx(report)))
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides]
    heading = "施策評価シート　基本施策1.1　情報共有と発信の仕組みづくり"
    parts = [heading, f"{heading}　指標", f"{heading}　取組項目"]
    assert [title for title in titles if title.startswith(heading) and "（続き）" not in title] == parts
    assert sum(title.startswith("施策評価シート") and "（続き）" not in title for title in titles) == 3 * len(MEASURES)
    first = deck.slides[titles.index(heading)]
    texts = " ".join(shape.text_frame.text for shape in first.shapes if shape.has_text_frame)
    assert f"{titles.index(heading) + 1} / {len(deck.slides)}" in texts
    assert "担当課:" in texts

    def rows_of(part: str) -> list[list[str]]:
        """Every data row of a part's table, across its 「（続き）」 slides."""
        slides = [slide for slide, title in zip(deck.slides, titles, strict=True) if title in (part, f"{part}（続き）")]
        tables = [_cells(shape.table) for slide in slides for shape in slide.shapes if shape.has_table]
        return [row for table in tables for row in table[1:]]

    assert rows_of(parts[0]) == [
        ["一次評価（提案）", "B おおむね順調", PRIMARY_REASON],
        ["二次評価", "C やや遅れ", COMMENT],
        ["一次・二次の差", "あり", "一次評価（B おおむね順調）と異なる"],
    ]
    assert [row[0] for row in rows_of(parts[1])] == ["1-①", "1-②", "1-③", "1-④", "1-⑤", "1-⑥"]
    actions = deck.slides[titles.index(parts[2])]
    (table,) = [_cells(shape.table) for shape in actions.shapes if shape.has_table]
    assert table[0] == ["コード", "取組項目", "実施状況", "実績", "課題", "今後の方向性"]
    assert [row[2] for row in rows_of(parts[2])] == ACTIONS_1_1["実施状況"].tolist()


def _cells(table) -> list[list[str]]:
    return [[cell.text_frame.text for cell in row.cells] for row in table.rows]


def test_export_scope_takes_a_measure_code_and_names_the_valid_ones_for_an_unknown_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    output = tmp_path / "1.2.xlsx"
    assert main(["export", "--format", "xlsx", "--output", str(output), "--scope", "1.2"]) == 0
    assert "基本施策1.2のみ" in capsys.readouterr().out
    workbook = load_workbook(output)
    assert [name for name in workbook.sheetnames if name.startswith("基本")] == ["基本方針1", "基本施策1.2"]
    assert main(["export", "--format", "xlsx", "--output", str(output), "--scope", "1.9"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("エラー: 範囲「1.9」はありません。")
    assert "1、2、3、1.1、1.2、2.1、2.2、3.1 のいずれかを指定してください。" in error
