"""The suggested 一次評価: indicators' statuses and 取組項目' 実施状況 combined into A–D with its reasoning."""

from dataclasses import dataclass

from analytics import vocabulary as v
from analytics.actions.settings import GRADES, ActionSettings

# Indicator statuses that count as going well; 参考値 and no data are left out of the count.
_GOOD_INDICATORS = (v.ACHIEVED, v.ON_TRACK)
_JUDGED_INDICATORS = (v.ACHIEVED, v.ON_TRACK, v.SLIGHTLY_BEHIND, v.BEHIND, v.WORSENED)


@dataclass(frozen=True)
class Suggestion:
    """A suggested grade (A–D, or "" when nothing is known yet) and why, in Japanese."""

    grade: str
    reason: str


def suggest_grade(
    indicator_statuses: list[str], action_statuses: list[str], settings: ActionSettings, action_level: str = "取組項目"
) -> Suggestion:
    """Grade from the share of indicators 順調以上 and of 取組 計画どおり以上 (their mean when both are
    known), so that a committee starts from a reasoned proposal instead of a blank box."""
    judged = [status for status in indicator_statuses if status in _JUDGED_INDICATORS]
    reported = [status for status in action_statuses if status in settings.scale]
    parts, shares = [], []
    if judged:
        good = sum(status in _GOOD_INDICATORS for status in judged)
        shares.append(good / len(judged))
        parts.append(f"指標 {len(judged)} 件中 {good} 件が順調以上")
    if reported:
        good = sum(status in settings.good_statuses for status in reported)
        shares.append(good / len(reported))
        parts.append(f"{action_level} {len(reported)} 件中 {good} 件が{settings.scale[settings.good - 1]}以上")
    if not shares:
        return Suggestion(
            "", f"判定できる指標も、実施状況の報告がある{action_level}もないため、一次評価を提案できません。"
        )
    percent = 100 * sum(shares) / len(shares)
    grade = next(
        (
            g
            for g, threshold in zip("ABC", (settings.grade_a, settings.grade_b, settings.grade_c), strict=True)
            if percent >= threshold - 1e-9
        ),
        "D",
    )
    combined = "平均" if len(shares) == 2 else "割合"
    return Suggestion(grade, f"{'、'.join(parts)}（{combined} {percent:.0f}%）のため {grade} {GRADES[grade]}。")
