"""What the 施策評価 page shows: 取組 statuses per year, progress over years, the checklist and the grades."""

import pandas as pd

from analytics import vocabulary as v
from analytics.actions.grading import suggest_grade
from analytics.actions.settings import GRADES, ActionSettings
from analytics.actions.survey import survey_departments
from analytics.plan import Plan

NOT_REPORTED = "未報告"
SAMPLE_WITHDRAWAL = "サンプルデータの取り下げ"


def locate_actions(plan: Plan) -> pd.DataFrame:
    """Every 取組項目 with its 施策の方向, 基本施策, 基本方針 and 担当課, in plan order."""
    nodes = plan.nodes.set_index("code")
    actions = plan.nodes[plan.nodes["kind"] == v.ACTION].reset_index(drop=True)
    direction = actions["parent_code"]
    measure = direction.map(nodes["parent_code"])
    return pd.DataFrame(
        {
            "policy_code": actions["policy_code"],
            "measure_code": measure,
            "measure": measure.map(nodes["name"]),
            "direction_name": direction.map(nodes["name"]),
            "code": actions["code"],
            "name": actions["name"],
            "department": survey_departments(plan)["department"],
        }
    )


def tabulate_actions(plan: Plan, reports: pd.DataFrame, fiscal_year: int, policy_code: str) -> pd.DataFrame:
    """One row per 取組項目 of a 基本方針 with its report for the year (「未報告」 when there is none),
    labelled with the plan's own level names."""
    located = locate_actions(plan)
    located = located[located["policy_code"] == policy_code]
    year = reports[reports["fiscal_year"] == fiscal_year].rename(columns={"department": "reported_by"})
    merged = located.merge(year, left_on="code", right_on="action_code", how="left")
    return pd.DataFrame(
        {
            plan.level(v.MEASURE): merged["measure"],
            plan.level(v.DIRECTION): merged["direction_name"],
            "コード": merged["code"],
            plan.level(v.ACTION): merged["name"],
            "担当課": merged["department"],
            "実施状況": merged["status"].fillna(NOT_REPORTED),
            "実績": merged["result"].fillna(""),
            "開催回数": merged["sessions"].astype("Int64"),
            "参加者数": merged["participants"].astype("Int64"),
            "課題": merged["issues"].fillna(""),
            "今後の方向性": merged["direction"].fillna(""),
        }
    )


def count_progress(reports: pd.DataFrame, action_codes: list[str], settings: ActionSettings) -> pd.DataFrame:
    """Per fiscal year, how many of the given 取組 reported and how many went 計画どおり or better."""
    chosen = reports[reports["action_code"].isin(action_codes)]
    good = chosen["status"].isin(settings.good_statuses)
    label = f"{settings.scale[settings.good - 1]}以上"
    counts = (
        chosen.assign(good=good).groupby("fiscal_year").agg(報告数=("action_code", "size"), **{label: ("good", "sum")})
    )
    return counts.rename_axis("年度").reset_index().astype({"報告数": int, label: int})


def grade_measures(
    plan: Plan,
    reports: pd.DataFrame,
    indicators: pd.DataFrame,
    secondary: pd.DataFrame,
    fiscal_year: int,
    policy_code: str,
    settings: ActionSettings,
) -> pd.DataFrame:
    """Per 基本施策 of a 基本方針: the suggested 一次評価 with its reason beside the recorded 二次評価,
    and whether the two differ. `indicators` are the evaluated indicators (code, policy_code, status)."""
    located = locate_actions(plan)
    located = located[located["policy_code"] == policy_code]
    year = reports[reports["fiscal_year"] == fiscal_year].set_index("action_code")["status"]
    statuses = indicators.loc[indicators["policy_code"] == policy_code, "status"].tolist()
    recorded = secondary.set_index("node_code") if not secondary.empty else pd.DataFrame(columns=["grade", "comment"])
    rows = []
    for (code, name), actions in located.groupby(["measure_code", "measure"], sort=False):
        suggestion = suggest_grade(
            statuses, actions["code"].map(year).dropna().tolist(), settings, plan.level(v.ACTION)
        )
        grade = recorded["grade"].get(code, "")
        rows.append(
            {
                "コード": code,
                plan.level(v.MEASURE): name,
                "一次評価（提案）": _grade_label(suggestion.grade),
                "理由": suggestion.reason,
                "二次評価": _grade_label(grade),
                "二次評価のコメント": recorded["comment"].get(code, ""),
                "差": "一次評価と異なる" if grade and suggestion.grade and grade != suggestion.grade else "",
            }
        )
    return pd.DataFrame(rows)


def list_unreported(plan: Plan, reports: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """The 取組 with no report for the year, by 担当課: the secretariat's checklist before the deadline."""
    located = locate_actions(plan)
    reported = set(reports.loc[reports["fiscal_year"] == fiscal_year, "action_code"])
    missing = located[~located["code"].isin(reported)].sort_values(["department", "code"], kind="stable")
    return pd.DataFrame(
        {"担当課": missing["department"], "コード": missing["code"], plan.level(v.ACTION): missing["name"]}
    ).reset_index(drop=True)


def _grade_label(grade: str) -> str:
    return f"{grade} {GRADES[grade]}" if grade else "—"


def tabulate_action_batches(history: pd.DataFrame) -> pd.DataFrame:
    """The 取組 history as the page lists it: each imported 調査票 and each withdrawal of the sample
    reports, newest first, so a withdrawal can be found and undone like any import."""
    return pd.DataFrame(
        {
            "取込": history["id"].astype(int),
            "日時": history["created_at"],
            "取込者": history["created_by"],
            "内容": history["file_names"].where(
                ~history["withdraws_sample"].fillna(False).astype(bool), SAMPLE_WITHDRAWAL
            ),
            "取消日時": history["undone_at"],
        }
    )
