"""The domain's words: Japanese terms, their English names in code, and how fiscal years are written."""

from datetime import date, datetime
from typing import Final

# Plan node kinds, top to bottom of the 体系表.
POLICY: Final = "policy"  # 基本方針
MEASURE: Final = "measure"  # 基本施策
DIRECTION: Final = "direction"  # 施策の方向
ACTION: Final = "action"  # 取組項目
INDICATOR: Final = "indicator"  # 施策評価指標

NODE_KINDS: Final = (POLICY, MEASURE, DIRECTION, ACTION, INDICATOR)
KIND_LABELS: Final = {
    POLICY: "基本方針",
    MEASURE: "基本施策",
    DIRECTION: "施策の方向",
    ACTION: "取組項目",
    INDICATOR: "施策評価指標",
}

# Who answers an indicator: a citizen survey, a staff survey, or the city's own count.
CITIZEN: Final = "市民"
STAFF: Final = "職員"
ADMINISTRATIVE: Final = "業務統計"
RESPONDENTS: Final = (CITIZEN, STAFF, ADMINISTRATIVE)

PERCENT: Final = "%"
ORGANISATIONS: Final = "団体"

# An observation for the whole population has no breakdown; stored as empty strings so that
# (indicator, year, dimension, category) stays a usable unique key in every SQL dialect.
OVERALL: Final = ""
AGE: Final = "年代"
AREA: Final = "地域"

# Who may write: an editor uploads and comments, an administrator also manages the plan and accounts.
EDITOR: Final = "editor"
ADMIN: Final = "admin"
ROLES: Final = (EDITOR, ADMIN)
ROLE_LABELS: Final = {EDITOR: "編集者", ADMIN: "管理者"}

SAMPLE_NOTICE: Final = (
    "表示中の値はサンプル（架空）データです。実際の調査結果ではありません。基準値・目標値も架空の値です。"
)

_ERAS: Final = (("令和", 2019), ("平成", 1989))


def format_era_year(year: int) -> str:
    """The era part of a fiscal year alone: 「令和6」, 「令和元」, 「平成27」 (the year itself before 平成)."""
    for era, first_year in _ERAS:
        if year >= first_year:
            number = year - first_year + 1
            return f"{era}{'元' if number == 1 else number}"
    return str(year)


def format_japanese_date(day: date) -> str:
    """「令和8年11月24日」: a calendar date as official papers write it, with its era."""
    # 令和 began on 1 May 2019; the months before it are 平成31年.
    era = "平成31" if day.year == 2019 and day.month < 5 else format_era_year(day.year)
    return f"{era}年{day.month}月{day.day}日"


def format_japanese_datetime(moment: datetime) -> str:
    """「令和8年11月24日 15:23」: a date as staff write it, with its era (the calendar year, not the fiscal one)."""
    return f"{format_japanese_date(moment)} {moment:%H:%M}"


def format_fiscal_year(year: int) -> str:
    """Write a fiscal year the way the city does: 「令和6(2024)年度」, 「令和元(2019)年度」.

    FY2019 began in April under 平成 but the city, like most, calls the whole year 令和元年度.
    """
    era = format_era_year(year)
    return f"{year}年度" if era == str(year) else f"{era}({year})年度"


# Evaluation statuses, best to worst. Colours are the Okabe–Ito palette, which colour-blind
# readers can tell apart; every status also carries a symbol so that colour is never the only cue.
ACHIEVED: Final = "achieved"
ON_TRACK: Final = "on_track"
SLIGHTLY_BEHIND: Final = "slightly_behind"
BEHIND: Final = "behind"
WORSENED: Final = "worsened"
NO_DATA: Final = "no_data"
STATUSES: Final = (ACHIEVED, ON_TRACK, SLIGHTLY_BEHIND, BEHIND, WORSENED, NO_DATA)
STATUS_LABELS: Final = {
    ACHIEVED: "達成",
    ON_TRACK: "順調",
    SLIGHTLY_BEHIND: "やや遅れ",
    BEHIND: "遅れ",
    WORSENED: "悪化",
    NO_DATA: "データなし",
}
STATUS_SYMBOLS: Final = {
    ACHIEVED: "◎",
    ON_TRACK: "○",
    SLIGHTLY_BEHIND: "△",
    BEHIND: "▲",
    WORSENED: "✕",
    NO_DATA: "－",
}
STATUS_COLOURS: Final = {
    ACHIEVED: "#0072B2",
    ON_TRACK: "#009E73",
    SLIGHTLY_BEHIND: "#E69F00",
    BEHIND: "#D55E00",
    WORSENED: "#CC79A7",
    NO_DATA: "#999999",
}
WITHIN_ERROR: Final = "誤差の範囲"

# How progress is graded (issue 4): a straight line from baseline to target, or the Open SDG
# growth-rate ratio; and the flags that mark an indicator falling behind.
LINEAR: Final = "linear"
CAGR: Final = "cagr"
METHODS: Final = (LINEAR, CAGR)
METHOD_LABELS: Final = {LINEAR: "直線法", CAGR: "成長率法（Open SDG 方式）"}
# Where an expected value comes from: the method's path, a year's own 年次目標, or the line between them.
PATH_PLAN: Final = "plan"
PATH_YEARLY_TARGET: Final = "yearly_target"
PATH_INTERPOLATED: Final = "interpolated"
YEARLY_TARGET: Final = "年次目標"
PATH_LABELS: Final = {
    PATH_PLAN: "目標達成ペース",
    PATH_YEARLY_TARGET: YEARLY_TARGET,
    PATH_INTERPOLATED: f"{YEARLY_TARGET}から求めた目標達成ペース",
}
# Whether a status below 順調 needs evidence beyond sampling error (issue 12) or the point estimate suffices.
EVIDENCE: Final = "evidence"
POINT: Final = "point"
STATUS_RULES: Final = (EVIDENCE, POINT)
STATUS_RULE_LABELS: Final = {EVIDENCE: "誤差を考慮した評価", POINT: "点推定による評価"}
REFERENCE_ONLY: Final = "参考値"
BEHIND_PATH: Final = "behind_path"
WORSE_THAN_PREVIOUS: Final = "worse_than_previous"
PROJECTED_MISS: Final = "projected_miss"
MISSING_LATEST: Final = "missing_latest"
FLAGS: Final = (BEHIND_PATH, WORSE_THAN_PREVIOUS, PROJECTED_MISS, MISSING_LATEST)
FLAG_LABELS: Final = {
    BEHIND_PATH: "目標達成ペースを下回る",
    WORSE_THAN_PREVIOUS: "前回比で悪化",
    PROJECTED_MISS: "目標年度に未達の見込み",
    MISSING_LATEST: "最新の調査年度の値がない",
}
ERROR_UNKNOWN: Final = "回答者数（n）がないため誤差を計算できません"

# What the plan may say about an indicator, in the order 指標詳細 and downloads show it. The one
# place to extend when the plan file gains a field: a column of that name is shown where it is set.
INDICATOR_FACTS: Final = {
    "definition": "定義",
    "question": "調査の設問",
    "source": "出典",
    "respondent": "回答者",
    "method": "算出方法",
    "department": "担当課",
}
