"""How statuses are decided, in plain Japanese: the 評価方法 page, the reports' appendix and per-status explanations."""

import pandas as pd

from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation
from analytics.evaluation_settings import Settings, Thresholds
from analytics.presentation import describe_status, format_value, status_badge

METHOD_TITLE = "評価方法"
_GRADED_BELOW = (v.SLIGHTLY_BEHIND, v.BEHIND, v.WORSENED)


def describe_method(settings: Settings, method: str) -> list[tuple[str, list[str]]]:
    """The rule and thresholds as headed paragraphs, from the settings in force, so the text never drifts."""
    limits = settings.thresholds(method)
    confidence = f"{settings.confidence:.0%}"
    if method == v.LINEAR:
        pace = (
            "基準値から目標値まで毎年同じだけ進む線（目標達成ペース）を引き、実績の進み（基準値からの変化）が"
            "その年までに計画された進みの何%かを「進み具合」とします。"
        )
    else:
        pace = (
            "実績の年平均成長率が、目標に届くために必要な年平均成長率の何%かを「進み具合」とします"
            "（Open SDG・カナダ統計局の方式）。目標達成ペースは、毎年同じ率で伸びる線です。"
        )
    rule = (
        "目標達成ペースとの差が誤差（標本誤差）を超えるときだけ「順調」より下に判定します。差が誤差の範囲なら"
        "「○ 順調」とし、「差は誤差の範囲」と注記します。「✕ 悪化」は、基準値を下回り、その差も誤差を超えるときだけです。"
        if settings.status_rule == v.EVIDENCE
        else "誤差を考えず、値そのもの（点推定）の進み具合で判定します。差が誤差の範囲のときは、理由にそう書きます。"
    )
    design = settings.design_effect
    return [
        (
            "進み具合",
            [
                f"評価方法: {v.METHOD_LABELS[method]}。{pace}",
                "計画に年次目標（年度ごとの中間目標）がある指標は、基準値・年次目標・目標値を順に直線で結んだ線を"
                "目標達成ペースとし、その年度の年次目標（ない年度は前後の目標を結んだ線上の値）と比べます"
                "（成長率法では、その値に届くのに必要な年平均成長率と比べます）。理由にも年次目標と書きます。",
                f"進み具合が {limits.on_track:g}% 以上なら ○ 順調、{limits.slightly_behind:g}% 以上なら △ やや遅れ、"
                "0% 以上なら ▲ 遅れ、0% 未満（基準値より悪い）なら ✕ 悪化。目標値に届いていれば ◎ 達成 です。",
            ],
        ),
        (
            "誤差の考え方",
            [
                f"判定のしかた: {v.STATUS_RULE_LABELS[settings.status_rule]}。{rule}",
                f"調査の割合には、回答者数（n）から求める{confidence}の誤差の幅（Wilson 区間）があります。"
                "区間は上下で幅が違うため、差を比べるときは差の向きの側の幅を使います。",
                "基準値にも回答者数があるときは、基準値の誤差も目標達成ペースの誤差に含めます。"
                "職員数などの母集団の大きさが計画にあるときは有限母集団修正をし、"
                f"デザイン効果（市民 {design.citizen:g}、職員 {design.staff:g}）の分だけ誤差を広げます。",
                f"業務統計（件数）には標本誤差がないため、許容差 {settings.count_tolerance:g} 以内の差は遅れとしません。",
                "誤差の両端で判定が変わるときは「○ 順調（誤差を考えると △ やや遅れ の可能性あり）」のように書きます。",
            ],
        ),
        ("年代・地域の区分", describe_breakdown_rule(settings)),
    ]


def describe_breakdown_rule(settings: Settings) -> list[str]:
    """How 年代/地域 cells are graded, for the 評価方法 page and under every breakdown table."""
    return [
        "区分は、その区分自身の基準年度の値（なければ最初の値）から、計画と同じだけ変化することを求めて判定します。"
        "もともと低い区分が、低いことだけで悪化とされることはありません。",
        f"回答者数が {settings.breakdowns.min_respondents:g} 未満の区分は「{v.REFERENCE_ONLY}」とし、"
        "判定もフラグもしません。",
        "1つの指標・年度の区分をまとめて検定するため、偶然によるフラグの割合を"
        f" {settings.breakdowns.false_discovery_rate:.0%} に抑える補正（Benjamini–Hochberg 法）をしています。"
        "計画全体の値は、それぞれ単独で検定します。",
    ]


def explain_status(row: pd.Series, settings: Settings, method: str) -> str:
    """Two sentences a manager can read aloud: where the indicator stands, and why that is its status."""
    unit, status = row["unit"], row["status"]
    word = "誤差" if unit == v.PERCENT else "許容差"
    year = v.format_fiscal_year(int(row["year"])) if pd.notna(row["year"]) else "選んだ年度"
    if pd.isna(row["value"]):
        return f"{row['code']} は{year}の値がありません。そのため状況は {status_badge(status)} です。"
    if status == v.ACHIEVED:
        return (
            f"{row['code']} の{year}の値は {format_value(row['value'], unit)} です。"
            f"目標値 {format_value(row['target_value'], unit)} に届いているため {status_badge(status)} です。"
        )
    if pd.isna(row["pace"]):
        reason = row["notes"][0] if len(row["notes"]) else "進み具合を計算できない"
        return (
            f"{row['code']} の{year}の値は {format_value(row['value'], unit)} です。"
            f"{reason}ため、状況は {status_badge(status)} です。"
        )
    gap = row["gap"]
    first = (
        f"{row['code']} の{year}の値は {format_value(row['value'], unit)} で、{v.PATH_LABELS[row.get('path', v.PATH_PLAN)]} "
        f"{format_value(row['expected'], unit)} との差は {_signed(gap, unit)}、進み具合は計画の "
        f"{row['pace']:.0f}% です。".replace("の -", "の −")
    )
    margin = "不明" if pd.isna(row["gap_margin"]) else _signed(row["gap_margin"], unit).lstrip("+")
    badge = describe_status(status, row["status_range"])
    limits = settings.thresholds(method)
    if status == v.ON_TRACK and row["pace"] < limits.on_track:
        second = f"差が{word}（{margin}）の範囲なので、{badge} としています。"
    elif status == v.ON_TRACK:
        second = f"進み具合が {limits.on_track:g}% 以上なので {badge} です。"
    elif pd.isna(row["gap_significant"]):
        second = f"n がないため誤差を判定できず、進み具合のとおり {badge} としています。"
    elif not row["gap_significant"]:
        second = f"差は{word}（{margin}）の範囲ですが、点推定で判定する設定のため {badge} です。"
    elif status == v.BEHIND and row["pace"] < 0:
        second = f"差が{word} {margin} を超えますが、基準値との差は{word}の範囲なので、悪化ではなく {badge} です。"
    else:
        second = f"差が{word} {margin} を超え、進み具合が {_band(status, limits, settings)} なので {badge} です。"
    return first + second


def work_example(evaluation: PlanEvaluation, settings: Settings) -> tuple[str, str]:
    """One indicator from the current data, the one whose status most needs explaining, and its explanation.

    Prefers an indicator graded 順調 because its shortfall is within error, then one graded below 順調,
    so the example shows the rule at work rather than an easy case.
    """
    indicators = evaluation.indicators
    limits = settings.thresholds(evaluation.method)
    lifted = indicators[(indicators["status"] == v.ON_TRACK) & (indicators["pace"] < limits.on_track)]
    behind = indicators[indicators["status"].isin(_GRADED_BELOW)]
    graded = indicators[indicators["pace"].notna()]
    for candidates in (lifted, behind, graded, indicators):
        if not candidates.empty:
            row = candidates.iloc[0]
            return row["code"], explain_status(row, settings, evaluation.method)
    return "", "評価する指標がありません。"


def _band(status: str, limits: Thresholds, settings: Settings) -> str:
    worse = "基準値より悪く、その差も誤差を超える" if settings.status_rule == v.EVIDENCE else "基準値より悪い"
    return {
        v.SLIGHTLY_BEHIND: f"{limits.slightly_behind:g}% 以上 {limits.on_track:g}% 未満",
        v.BEHIND: f"0% 以上 {limits.slightly_behind:g}% 未満",
        v.WORSENED: f"0% 未満（{worse}）",
    }[status]


def _signed(number: float, unit: str) -> str:
    suffix = "pt" if unit == v.PERCENT else unit
    text = f"{number:+.1f}" if unit == v.PERCENT else f"{number:+,.1f}".removesuffix(".0")
    # A zero gap has no direction: 「0団体」, not 「+0団体」.
    text = text.lstrip("+-") if float(text.lstrip("+-").replace(",", "")) == 0 else text
    return f"{text}{suffix}".replace("-", "−")
