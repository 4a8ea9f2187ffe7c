"""The plan (体系表) as data: load and validate a draft file, and compare two drafts by code."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analytics import vocabulary as v
from analytics.schemas import IndicatorFrame, NodeFrame, YearlyTargetFrame

PLAN_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "plan"

ADDED, REMOVED, REWORDED = "added", "removed", "reworded"
CHANGE_LABELS = {ADDED: "追加", REMOVED: "削除", REWORDED: "文言変更"}


class PlanError(ValueError):
    """A plan file that cannot be used; the message is Japanese and names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Point(_Strict):
    fiscal_year: int = Field(ge=1989, le=2100)
    value: float = Field(strict=False)


class _Definition(_Strict):
    """How an indicator is measured, as the plan states it; every part optional."""

    survey: str | None = None  # 調査名
    question: str | None = None  # 設問文
    counted_answers: str | None = None  # 集計に含める回答
    subjects: str | None = None  # 対象
    timing: str | None = None  # 調査時期
    source: str | None = None  # 出典


class _Departments(_Strict):
    lead: str | None = None
    related: list[str] = []


class _Baseline(_Point):
    # The baseline of a survey indicator is itself a survey value with its own sampling error.
    respondents: int | None = Field(default=None, ge=1)


class _Indicator(_Strict):
    code: str
    name: str = Field(min_length=1)
    respondent: Literal[v.CITIZEN, v.STAFF, v.ADMINISTRATIVE]
    unit: str = Field(min_length=1)
    higher_is_better: bool
    baseline: _Baseline
    target: _Point
    yearly_targets: list[_Point] = []
    definition: _Definition = _Definition()
    departments: _Departments = _Departments()
    sample: bool
    # How many people the survey could reach (e.g. 職員数), for the finite-population correction.
    population: int | None = Field(default=None, ge=1)


class _Action(_Strict):
    code: str
    name: str = Field(min_length=1)
    departments: _Departments = _Departments()


class _Direction(_Strict):
    code: str
    name: str = Field(min_length=1)
    actions: list[_Action]


class _Measure(_Strict):
    code: str
    name: str = Field(min_length=1)
    directions: list[_Direction]


class _Policy(_Strict):
    code: str
    name: str = Field(min_length=1)
    indicators: list[_Indicator]
    measures: list[_Measure]


class _Levels(_Strict):
    policy: str = Field(default=v.KIND_LABELS[v.POLICY], min_length=1)
    measure: str = Field(default=v.KIND_LABELS[v.MEASURE], min_length=1)
    direction: str = Field(default=v.KIND_LABELS[v.DIRECTION], min_length=1)
    action: str = Field(default=v.KIND_LABELS[v.ACTION], min_length=1)
    indicator: str = Field(default=v.KIND_LABELS[v.INDICATOR], min_length=1)


class _PlanFile(_Strict):
    title: str
    label: str
    revision: int
    levels: _Levels = _Levels()
    policies: list[_Policy] = Field(min_length=1)


def _no_yearly_targets() -> pd.DataFrame:
    return YearlyTargetFrame.validate(pd.DataFrame({"indicator_code": [], "fiscal_year": [], "value": []}))


@dataclass(frozen=True)
class Plan:
    """One draft of the plan: its identity, the city's own level names, and its frames.

    `levels` maps each node kind to the word the city's 体系表 uses (基本方針 or 基本目標 …), so that
    every page, report and message speaks the plan's language; `yearly_targets` holds the interim
    targets (年次目標) that a plan may set between baseline and target.
    """

    title: str
    label: str
    revision: int
    source: str
    sha256: str
    nodes: pd.DataFrame
    indicators: pd.DataFrame
    levels: dict[str, str] = field(default_factory=lambda: dict(v.KIND_LABELS))
    yearly_targets: pd.DataFrame = field(default_factory=_no_yearly_targets)

    @property
    def policies(self) -> pd.DataFrame:
        return self.nodes[self.nodes["kind"] == v.POLICY]

    @property
    def sublevels(self) -> str:
        """The levels under a policy in the plan's words, e.g. 「基本施策・施策の方向・取組項目」."""
        return "・".join(self.level(kind) for kind in (v.MEASURE, v.DIRECTION, v.ACTION))

    def level(self, kind: str) -> str:
        """The plan's own name for a level, e.g. 「基本目標」 where the demo says 「基本方針」."""
        return self.levels.get(kind, v.KIND_LABELS[kind])


def build_plan(
    *,
    title: str,
    label: str,
    revision: int,
    source: str,
    levels: dict[str, str],
    nodes: pd.DataFrame,
    indicators: pd.DataFrame,
    yearly_targets: pd.DataFrame,
) -> Plan:
    """A validated Plan whose sha256 fingerprints its content, so an identical re-import is recognised."""
    _check_codes(source, nodes, indicators, levels)
    nodes = NodeFrame.validate(nodes)
    indicators = IndicatorFrame.validate(indicators)
    yearly_targets = YearlyTargetFrame.validate(yearly_targets)
    _check_yearly_targets(source, indicators, yearly_targets, levels)
    content = {
        "title": title,
        "label": label,
        "levels": levels,
        "nodes": nodes.to_dict("records"),
        "indicators": indicators.to_dict("records"),
        "yearly_targets": yearly_targets.to_dict("records"),
    }
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
    return Plan(title, label, revision, source, digest, nodes, indicators, dict(levels), yearly_targets)


def load_plan(path: Path) -> Plan:
    """Read one draft file; any problem raises PlanError naming the file, line and key."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise PlanError(f"{path.name}: 計画ファイルを読めません（{error}）。") from error
    return read_plan(path.name, content)


def read_plan(file_name: str, content: bytes) -> Plan:
    """A plan from the bytes of a YAML plan file (shipped, or written by `plan export`)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanError(f"{file_name}: 計画ファイルを読めません（{error}）。") from error
    try:
        root = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" {mark.line + 1}行目" if mark else ""
        raise PlanError(
            f"{file_name}{where}: YAML の書式が正しくありません（字下げ、コロン、引用符を確認してください）。"
        ) from error
    try:
        parsed = _PlanFile.model_validate(raw)
    except ValidationError as error:
        raise PlanError(_describe(file_name, root, error)) from error
    nodes, indicators, yearly_targets = _flatten(parsed)
    return build_plan(
        title=parsed.title,
        label=parsed.label,
        revision=parsed.revision,
        source=file_name,
        levels=parsed.levels.model_dump(),
        nodes=nodes,
        indicators=indicators,
        yearly_targets=yearly_targets,
    )


def load_plans(directory: Path = PLAN_DIRECTORY) -> list[Plan]:
    """All drafts in a directory, oldest revision first; the last one is the current plan."""
    plans = sorted((load_plan(p) for p in Path(directory).glob("*.yaml")), key=lambda p: p.revision)
    if not plans:
        raise PlanError(f"{directory}: 計画ファイル（*.yaml）が見つかりません。")
    revisions = [p.revision for p in plans]
    if len(set(revisions)) != len(revisions):
        raise PlanError(f"{directory}: revision が重複しています（{revisions}）。各版に別の番号を付けてください。")
    return plans


def compare_plans(old: Plan, new: Plan) -> pd.DataFrame:
    """Items added, removed or reworded from `old` to `new`, matched by kind and code."""
    columns = ["kind", "code", "name"]
    before = pd.concat([old.nodes[columns], old.indicators.assign(kind=v.INDICATOR)[columns]])
    after = pd.concat([new.nodes[columns], new.indicators.assign(kind=v.INDICATOR)[columns]])
    merged = before.merge(after, on=["kind", "code"], how="outer", suffixes=("_old", "_new"), indicator=True)
    change = merged["_merge"].map({"left_only": REMOVED, "right_only": ADDED, "both": REWORDED})
    changed = merged.assign(change=change.astype(str))
    changed = changed[(changed["change"] != REWORDED) | (changed["name_old"] != changed["name_new"])]
    kind_order = {kind: i for i, kind in enumerate(v.NODE_KINDS)}
    return (
        changed.rename(columns={"name_old": "old_name", "name_new": "new_name"})
        .sort_values(["kind", "code"], key=lambda s: s.map(kind_order) if s.name == "kind" else s)
        .loc[:, ["kind", "code", "change", "old_name", "new_name"]]
        .reset_index(drop=True)
    )


def _flatten(plan: _PlanFile) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    nodes: list[dict] = []
    indicators: list[dict] = []
    yearly: list[dict] = []

    def add(kind: str, item: BaseModel, parent: str | None, policy: str) -> None:
        departments = getattr(item, "departments", _Departments())
        nodes.append(
            {
                "kind": kind,
                "code": item.code,
                "parent_code": parent,
                "policy_code": policy,
                "name": item.name,
                "position": len(nodes),
                **_department_columns(departments),
            }
        )

    for policy in plan.policies:
        add(v.POLICY, policy, None, policy.code)
        for indicator in policy.indicators:
            indicators.append(
                {
                    "code": indicator.code,
                    "policy_code": policy.code,
                    "name": indicator.name,
                    "respondent": indicator.respondent,
                    "unit": indicator.unit,
                    "higher_is_better": indicator.higher_is_better,
                    "baseline_year": indicator.baseline.fiscal_year,
                    "baseline_value": indicator.baseline.value,
                    "target_year": indicator.target.fiscal_year,
                    "target_value": indicator.target.value,
                    "sample": indicator.sample,
                    "position": len(indicators),
                    **{column: getattr(indicator.definition, key) for key, column in DEFINITION_COLUMNS.items()},
                    **_department_columns(indicator.departments),
                    "baseline_respondents": indicator.baseline.respondents,
                    "population": indicator.population,
                }
            )
            yearly += [
                {"indicator_code": indicator.code, "fiscal_year": point.fiscal_year, "value": point.value}
                for point in indicator.yearly_targets
            ]
        for measure in policy.measures:
            add(v.MEASURE, measure, policy.code, policy.code)
            for direction in measure.directions:
                add(v.DIRECTION, direction, measure.code, policy.code)
                for action in direction.actions:
                    add(v.ACTION, action, direction.code, policy.code)
    yearly_frame = pd.DataFrame(yearly, columns=["indicator_code", "fiscal_year", "value"])
    return pd.DataFrame(nodes), pd.DataFrame(indicators), yearly_frame


# The definition's parts as YAML keys → frame/store columns.
DEFINITION_COLUMNS = {
    "survey": "survey_name",
    "question": "survey_question",
    "counted_answers": "counted_answers",
    "subjects": "survey_subjects",
    "timing": "survey_timing",
    "source": "data_source",
}
DEFINITION_LABELS = {
    "survey_name": "調査名",
    "survey_question": "設問文",
    "counted_answers": "集計に含める回答",
    "survey_subjects": "対象",
    "survey_timing": "調査時期",
    "data_source": "出典",
}
DEPARTMENT_SEPARATOR = "、"


def _department_columns(departments: _Departments) -> dict[str, str | None]:
    related = DEPARTMENT_SEPARATOR.join(departments.related)
    return {"lead_department": departments.lead, "related_departments": related or None}


def _check_codes(file_name: str, nodes: pd.DataFrame, indicators: pd.DataFrame, levels: dict[str, str]) -> None:
    everything = pd.concat([nodes[["kind", "code"]], indicators.assign(kind=v.INDICATOR)[["kind", "code"]]])
    duplicated = everything[everything.duplicated(keep=False)]
    if not duplicated.empty:
        kind, code = duplicated.iloc[0]
        raise PlanError(
            f"{file_name}: {levels[kind]}のコード「{code}」が重複しています。コードは種類ごとに一意にしてください。"
        )
    numbered = pd.concat([nodes[nodes["kind"] == v.ACTION], indicators.assign(kind=v.INDICATOR)])
    stray = numbered[
        [
            not code.startswith(f"{policy}-")
            for code, policy in zip(numbered["code"], numbered["policy_code"], strict=True)
        ]
    ]
    if not stray.empty:
        row = stray.iloc[0]
        raise PlanError(
            f"{file_name}: {levels[row['kind']]}「{row['code']}」は{levels[v.POLICY]}「{row['policy_code']}」の下にあります。"
            f"コードは「{row['policy_code']}-①」のように{levels[v.POLICY]}の番号で始めてください。"
        )
    late = indicators[indicators["target_year"] <= indicators["baseline_year"]]
    if not late.empty:
        row = late.iloc[0]
        raise PlanError(
            f"{file_name}: {levels[v.INDICATOR]}「{row['code']}」の目標年度（{row['target_year']}）が"
            f"基準年度（{row['baseline_year']}）より後になっていません。"
        )


def _check_yearly_targets(
    file_name: str, indicators: pd.DataFrame, yearly: pd.DataFrame, levels: dict[str, str]
) -> None:
    """Interim targets must sit strictly between the baseline and target years, one per year."""
    spans = indicators.set_index("code")[["baseline_year", "target_year"]]
    for row in yearly.itertuples():
        if row.indicator_code not in spans.index:
            raise PlanError(f"{file_name}: 年次目標の指標「{row.indicator_code}」が計画にありません。")
        start, end = spans.loc[row.indicator_code]
        if not start < row.fiscal_year < end:
            raise PlanError(
                f"{file_name}: {levels[v.INDICATOR]}「{row.indicator_code}」の年次目標の年度（{row.fiscal_year}）が"
                f"基準年度（{start}）と目標年度（{end}）の間にありません。"
            )
    repeated = yearly[yearly.duplicated(["indicator_code", "fiscal_year"])]
    if not repeated.empty:
        row = repeated.iloc[0]
        raise PlanError(
            f"{file_name}: {levels[v.INDICATOR]}「{row['indicator_code']}」の年次目標が"
            f"{row['fiscal_year']}年度に2つあります。1年度に1つにしてください。"
        )


_MESSAGES = {
    "missing": "必須の項目がありません",
    "extra_forbidden": "使えない項目名です（綴りを確認してください）",
    "string_type": "文字列で書いてください",
    "string_too_short": "空にはできません",
    "int_type": "整数で書いてください",
    "int_parsing": "整数で書いてください",
    "int_from_float": "整数で書いてください",
    "float_type": "数値で書いてください",
    "float_parsing": "数値で書いてください",
    "bool_type": "true または false で書いてください",
    "bool_parsing": "true または false で書いてください",
    "list_type": "「- 」で始まる並びで書いてください",
    "too_short": "少なくとも1つ必要です",
    "model_type": "「項目名: 値」の形で書いてください",
    "model_attributes_type": "「項目名: 値」の形で書いてください",
    "greater_than_equal": "値が小さすぎます",
    "less_than_equal": "値が大きすぎます",
}


def _describe(file_name: str, root: yaml.Node | None, error: ValidationError) -> str:
    first = error.errors()[0]
    loc = first["loc"]
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    if first["type"] == "literal_error":
        reason = f"次のいずれかを指定してください: {first['ctx']['expected'].replace(' or ', '、')}"
    else:
        reason = _MESSAGES.get(first["type"], first["msg"])
    found = "" if first["type"] == "missing" else f"（値: {first['input']!r}）"
    line = _line_of(root, loc)
    where = f" {line}行目" if line else ""
    more = f"（ほか {error.error_count() - 1} 件）" if error.error_count() > 1 else ""
    return f"{file_name}{where} の「{key}」: {reason}{found}{more}"


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the deepest YAML node that `loc` reaches, for pointing at the key."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if key.value == part), None)
            line = node.start_mark.line + 1 if match is None else match.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
