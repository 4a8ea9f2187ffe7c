"""Read one 体系表 table into a draft: its levels, its tree of items and its indicators."""

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from analytics import vocabulary as v
from analytics.plan import DEFINITION_LABELS, DEPARTMENT_SEPARATOR
from analytics.planfile.tables import HIERARCHY, LEVEL_ALIASES, PlanFileError, Table, level_of, normalise

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"
# An item's number at the start of a line: ①, (1)/（１）, 1./１．/1、, (ア), ア．/ア　.
_MARKER = re.compile(
    rf"^\s*(?:[{_CIRCLED}]|[(（][0-9０-９]+[)）]|[0-9０-９]+[.．、]|[(（][ア-ン][)）]|[ア-ン][.．、\s　])\s*"
)
# Several items on one line are split where a circled or bracketed number follows a space.
_INLINE = re.compile(rf"[\s　]+(?=[{_CIRCLED}]|[(（][0-9０-９ア-ン]+[)）])")
_INDICATOR_HEADING = re.compile(r"【([^】]+)】")
_ERAS = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988}
_YEAR = re.compile(r"(令和|平成|R|H)?\s*(元|\d{1,4})")

# Columns right of the hierarchy that describe the indicator (or, for 担当課 left of it, the action).
BASELINE, TARGET, BASELINE_YEAR, TARGET_YEAR, YEARLY = "基準値", "目標値", "基準年度", "目標年度", "年次目標"
UNIT, DIRECTION, LEAD, RELATED, RESPONDENT, SAMPLE = "単位", "方向", "担当課", "関係課", "回答者", "サンプル"
_FIELD_ALIASES = {
    LEAD: ("担当課", "主担当課", "所管課"),
    RELATED: ("関係課", "関連課"),
    UNIT: ("単位",),
    DIRECTION: ("方向", "目標の方向"),
    RESPONDENT: ("回答者",),
    SAMPLE: ("サンプル",),
    BASELINE_YEAR: ("基準年度",),
    TARGET_YEAR: ("目標年度",),
    **{column: (label,) for column, label in DEFINITION_LABELS.items()},
}
_LOWER = ("減少", "低下", "↓", "低い方が良い", "下降")
_HIGHER = ("増加", "上昇", "↑", "高い方が良い", "向上", "")  # "" : the file does not say
SAMPLE_MARK = "○"


@dataclass(frozen=True)
class Draft:
    """A parsed draft before it meets the store: missing values stay missing (NaN / None)."""

    file_name: str
    title: str
    label: str
    levels: dict[str, str]
    nodes: pd.DataFrame
    indicators: pd.DataFrame
    yearly_targets: pd.DataFrame
    cells: dict[str, str]  # indicator code → where its name is in the file


def parse_table(table: Table) -> Draft:
    """The draft a table holds; any problem raises PlanFileError naming the cell."""
    header = table.rows[table.header_row]
    columns = _columns(table, header)
    levels = dict(v.KIND_LABELS) | {kind: normalise(header[column]) for kind, column in columns.levels.items()}
    walker = _Walker(table, columns, levels)
    for index in range(table.header_row + 1, len(table.rows)):
        walker.read_row(index, _placed(table, index, columns))
    nodes = pd.DataFrame(walker.nodes)
    if nodes.empty:
        raise PlanFileError(f"{table.where(table.header_row, 0)}: 見出し行の下に項目がありません。")
    return Draft(
        file_name=table.file_name,
        title=table.plan_title,
        label=table.label,
        levels=levels,
        nodes=nodes,
        indicators=pd.DataFrame(walker.indicators),
        yearly_targets=pd.DataFrame(walker.yearly, columns=["indicator_code", "fiscal_year", "value"]),
        cells=walker.cells,
    )


@dataclass(frozen=True)
class _Columns:
    levels: dict[str, int]
    fields: dict[str, int]  # field → column, for fields right of the indicator column
    action_fields: dict[str, int]  # 担当課/関係課 between the action and the indicator column
    values: dict[str, tuple[int, int | None]]  # 基準値/目標値 → (column, year in the header)
    yearly: dict[int, int]  # column → fiscal year of a 年次目標 column


def _columns(table: Table, header: list[str]) -> _Columns:
    levels: dict[str, int] = {}
    fields: dict[str, int] = {}
    action_fields: dict[str, int] = {}
    values: dict[str, tuple[int, int | None]] = {}
    yearly: dict[int, int] = {}
    for column, text in enumerate(header):
        name = normalise(str(text))
        if not name:
            continue
        kind = level_of(name)
        if kind is not None and kind not in levels:
            levels[kind] = column
            continue
        field = next((f for f, names in _FIELD_ALIASES.items() if name in names), None)
        value = next((f for f in (BASELINE, TARGET, YEARLY) if name.startswith(f)), None)
        if value == YEARLY:
            year = _header_year(table, column, name)
            if year is None:
                raise PlanFileError(
                    f"{table.where(table.header_row, column)}: 「{name}」に年度がありません。"
                    "「年次目標(R8)」のように括弧で年度を書いてください。"
                )
            yearly[column] = year
        elif value is not None:
            values[value] = (column, _header_year(table, column, name))
        elif field is not None:
            beside_action = v.INDICATOR not in levels and field in (LEAD, RELATED)
            (action_fields if beside_action else fields)[field] = column
    missing = [kind for kind in HIERARCHY if kind not in levels]
    if missing:
        names = "・".join("／".join(LEVEL_ALIASES[kind]) for kind in missing)
        raise PlanFileError(
            f"{table.where(table.header_row, 0)}: 見出し行に {names} の列がありません。"
            "上位から順に、階層ごとに1列ずつ列名を入れてください。"
        )
    order = [levels[kind] for kind in HIERARCHY]
    if order != sorted(order):
        raise PlanFileError(
            f"{table.where(table.header_row, levels[v.POLICY])}: 階層の列が左から上位→下位の順に並んでいません。"
        )
    return _Columns(levels, fields, action_fields, values, yearly)


def _header_year(table: Table, column: int, name: str) -> int | None:
    inside = re.search(r"\(([^)]*)\)", name)
    return _year(inside.group(1), table.where(table.header_row, column)) if inside else None


def _year(text: str, where: str) -> int:
    """A fiscal year written 2015, H27, 平成27年度, R12 or 令和元年度."""
    found = _YEAR.search(unicodedata.normalize("NFKC", str(text)))
    if found is None:
        raise PlanFileError(
            f"{where}: 「{text}」を年度として読めません。「2030」「R12」「令和12年度」のように書いてください。"
        )
    era, number = found.groups()
    count = 1 if number == "元" else int(number)
    if era:
        return _ERAS[era] + count
    if count < 1900:
        raise PlanFileError(
            f"{where}: 「{text}」の元号が分かりません。「R12」「令和12年度」のように元号を付けてください。"
        )
    return count


def _placed(table: Table, index: int, columns: _Columns) -> dict[int, str]:
    """The row's non-empty cells by column; a ragged row's cells are placed by their order instead.

    The seed's text lost the table's row spans, so its cells can sit one column off; each row
    still ends with its deepest item, so its cells are aligned to the hierarchy from the right.
    """
    row = table.rows[index]
    cells = {column: str(text).strip() for column, text in enumerate(row) if str(text).strip()}
    if not table.ragged or not cells:
        return cells
    hierarchy = [columns.levels[kind] for kind in HIERARCHY]
    if len(cells) > len(hierarchy):
        raise PlanFileError(
            f"{table.where(index, max(cells))}: この行には階層の数（{len(hierarchy)}）より多いセルがあります。"
        )
    return dict(zip(hierarchy[len(hierarchy) - len(cells) :], cells.values(), strict=True))


class _Walker:
    """Walks the rows top to bottom, keeping the current item of each level ("same as above")."""

    def __init__(self, table: Table, columns: _Columns, levels: dict[str, str]) -> None:
        self.table, self.columns, self.levels = table, columns, levels
        self.current: dict[str, dict | None] = dict.fromkeys(HIERARCHY)
        self.previous: dict[int, str] = {}
        self.nodes: list[dict] = []
        self.indicators: list[dict] = []
        self.yearly: list[dict] = []
        self.cells: dict[str, str] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.row_cells: dict[int, str] = {}

    def read_row(self, index: int, cells: dict[int, str]) -> None:
        self.row_cells = cells
        started = False
        for depth, kind in enumerate(HIERARCHY):
            column = self.columns.levels[kind]
            text = cells.get(column, "")
            repeated = not self.table.ragged and text == self.previous.get(column)
            if not text or (repeated and not started):
                if started:
                    self.current[kind] = None
                continue
            started = True
            self._start(kind, depth, text, index, column)
        indicator_column = self.columns.levels.get(v.INDICATOR)
        if indicator_column is not None:
            text = cells.get(indicator_column, "")
            if text and (self.table.ragged or text != self.previous.get(indicator_column) or started):
                self._indicators_in_cell(text, index, indicator_column, cells)
        self.previous = cells

    def _start(self, kind: str, depth: int, text: str, index: int, column: int) -> None:
        where = self.table.where(index, column)
        parent = self.current[HIERARCHY[depth - 1]] if depth else None
        if depth and parent is None:
            raise PlanFileError(
                f"{where}: {self.levels[kind]}「{_shorten(text)}」には、属する{self.levels[HIERARCHY[depth - 1]]}が"
                f"上にありません。{self.levels[HIERARCHY[depth - 1]]}の列を埋めてください。"
            )
        heading, text, indicators = _split_policy_cell(text) if kind == v.POLICY else ("", text, "")
        if heading and v.INDICATOR not in self.columns.levels:
            self.levels[v.INDICATOR] = heading  # the city's word, as in 【成果指標】
        items = _split_items(text)
        if kind != v.ACTION and len(items) > 1:
            raise PlanFileError(
                f"{where}: 1つのセルに{self.levels[kind]}が{len(items)}つあります。"
                f"{self.levels[kind]}は1セルに1つにし、行を分けてください。"
            )
        for marker, name in items:
            self._add_node(kind, name or marker, parent)
        for depth_below in HIERARCHY[depth + 1 :]:
            self.current[depth_below] = None
        if indicators:
            self._indicators_in_cell(indicators, index, column, {})

    def _add_node(self, kind: str, name: str, parent: dict | None) -> None:
        policy = parent["policy_code"] if parent else str(self._count(v.POLICY, ""))
        if kind == v.POLICY:
            code = policy
        elif kind == v.ACTION:
            code = f"{policy}-{_circled(self._count(kind, policy))}"
        else:
            code = f"{parent['code']}.{self._count(kind, parent['code'])}"
        node = {
            "kind": kind,
            "code": code,
            "parent_code": parent["code"] if parent else None,
            "policy_code": policy,
            "name": name,
            "position": len(self.nodes),
            "lead_department": None,
            "related_departments": None,
        }
        if kind == v.ACTION:
            node |= self._departments(self.row_cells, self.columns.action_fields)
        self.nodes.append(node)
        self.current[kind] = node

    def _count(self, kind: str, scope: str) -> int:
        self.counts[kind, scope] = self.counts.get((kind, scope), 0) + 1
        return self.counts[kind, scope]

    def _indicators_in_cell(self, text: str, index: int, column: int, cells: dict[int, str]) -> None:
        where = self.table.where(index, column)
        policy = self.current[v.POLICY]
        if policy is None:
            raise PlanFileError(
                f"{where}: {self.levels[v.INDICATOR]}「{_shorten(text)}」には、属する{self.levels[v.POLICY]}が上にありません。"
                f"{self.levels[v.POLICY]}の列を埋めてください。"
            )
        items = _split_items(text)
        described = any(column in cells for column in self._value_columns())
        if described and len(items) > 1:
            raise PlanFileError(
                f"{where}: 1つのセルに{self.levels[v.INDICATOR]}が{len(items)}つあり、右の列の値がどれのものか分かりません。"
                "指標を1行に1つにしてください。"
            )
        for marker, name in items:
            code = f"{policy['code']}-{_circled(self._count(v.INDICATOR, policy['code']))}"
            name = name or marker
            self.cells[code] = where
            self.indicators.append(self._indicator(code, policy["code"], name, index, cells))

    def _value_columns(self) -> list[int]:
        columns = self.columns
        return [*columns.fields.values(), *(c for c, _ in columns.values.values()), *columns.yearly]

    def _indicator(self, code: str, policy: str, name: str, index: int, cells: dict[int, str]) -> dict:
        fields = self.columns.fields

        def field(key: str) -> str | None:
            return cells.get(fields[key]) if key in fields else None

        baseline_year, baseline = self._value(BASELINE, BASELINE_YEAR, index, cells)
        target_year, target = self._value(TARGET, TARGET_YEAR, index, cells)
        for column, year in self.columns.yearly.items():
            if column in cells:
                self.yearly.append(
                    {"indicator_code": code, "fiscal_year": year, "value": self._number(cells[column], index, column)}
                )
        direction = field(DIRECTION) or ""
        if direction not in _LOWER + _HIGHER:
            raise PlanFileError(
                f"{self.table.where(index, fields[DIRECTION])}: 方向「{direction}」が分かりません。"
                "「増加」（高い方が良い）か「減少」（低い方が良い）と書いてください。"
            )
        respondent = field(RESPONDENT)
        if respondent not in (None, v.CITIZEN, v.STAFF, v.ADMINISTRATIVE):
            raise PlanFileError(
                f"{self.table.where(index, fields[RESPONDENT])}: 回答者「{respondent}」が分かりません。"
                f"「{v.CITIZEN}」「{v.STAFF}」「{v.ADMINISTRATIVE}」のいずれかにしてください。"
            )
        return {
            "code": code,
            "policy_code": policy,
            "name": name,
            "respondent": respondent,
            "unit": field(UNIT),
            "higher_is_better": None if not direction else direction not in _LOWER,
            "baseline_year": baseline_year,
            "baseline_value": baseline,
            "target_year": target_year,
            "target_value": target,
            "sample": field(SAMPLE) == SAMPLE_MARK,
            "position": len(self.indicators),
            **{column: field(column) for column in DEFINITION_LABELS},
            **self._departments(cells, fields),
        }

    def _value(self, value: str, year: str, index: int, cells: dict[int, str]) -> tuple[int | None, float | None]:
        if value not in self.columns.values or self.columns.values[value][0] not in cells:
            return None, None
        column, header_year = self.columns.values[value]
        year_column = self.columns.fields.get(year)
        if year_column is not None and year_column in cells:
            header_year = _year(cells[year_column], self.table.where(index, year_column))
        if header_year is None:
            raise PlanFileError(
                f"{self.table.where(self.table.header_row, column)}: {value}の年度が分かりません。"
                f"列名を「{value}(R2)」のようにするか、「{year}」の列を加えてください。"
            )
        return header_year, self._number(cells[column], index, column)

    def _number(self, text: str, index: int, column: int) -> float:
        cleaned = unicodedata.normalize("NFKC", text).replace(",", "").removesuffix("%").strip()
        try:
            return float(cleaned)
        except ValueError:
            raise PlanFileError(
                f"{self.table.where(index, column)}: 「{text}」を数値として読めません。数値だけを書いてください。"
            ) from None

    @staticmethod
    def _departments(cells: dict[int, str], fields: dict[str, int]) -> dict[str, str | None]:
        lead = cells.get(fields[LEAD]) if LEAD in fields else None
        related = cells.get(fields[RELATED]) if RELATED in fields else None
        if related:
            related = DEPARTMENT_SEPARATOR.join(part for part in re.split(r"[、,，\n]\s*", related) if part.strip())
        return {"lead_department": lead or None, "related_departments": related or None}


def _split_policy_cell(text: str) -> tuple[str, str, str]:
    """A policy cell's heading word for indicators, its own name, and the indicators listed after
    【施策評価指標】 (or the city's word)."""
    for found in _INDICATOR_HEADING.finditer(text):
        heading = normalise(found.group(1))
        if heading in LEVEL_ALIASES[v.INDICATOR]:
            return heading, text[: found.start()].strip(), text[found.end() :].strip()
    return "", text, ""


def _split_items(text: str) -> list[tuple[str, str]]:
    """Numbered items in one cell, as (number, name); an unnumbered line continues the item above."""
    items: list[list[str]] = []
    for line in text.splitlines():
        for segment in _INLINE.split(line.strip()):
            if not segment.strip():
                continue
            marker = _MARKER.match(segment)
            if marker:
                items.append([marker.group(0).strip(), segment[marker.end() :].strip()])
            elif items:
                items[-1][1] += segment.strip()
            else:
                items.append(["", segment.strip()])
    return [(marker, name) for marker, name in items]


def _circled(number: int) -> str:
    return _CIRCLED[number - 1] if number <= len(_CIRCLED) else f"({number})"


def with_inferred(indicator: dict) -> dict:
    """An indicator with what its wording implies filled in where neither the file nor an earlier
    revision says: who answers, the unit, and that higher is better."""
    name = indicator["name"]
    inferred = {"respondent": _respondent_of(name), "unit": _unit_of(name), "higher_is_better": True}
    return indicator | {key: value for key, value in inferred.items() if pd.isna(indicator.get(key))}


def _respondent_of(name: str) -> str:
    """Who answers, as the indicator's wording says: 「…職員の割合」 is the staff survey."""
    if "職員" in name:
        return v.STAFF
    if "市民" in name:
        return v.CITIZEN
    return v.ADMINISTRATIVE


def _unit_of(name: str) -> str | None:
    """The unit the wording implies: a share (割合・率) in %, a count of 団体 in 団体; else unknown."""
    if name.endswith(("割合", "率")):
        return v.PERCENT
    counted = re.search(r"([一-龥ァ-ヶー]+)数$", name)
    return counted.group(1) if counted else None


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 30 else flat[:29] + "…"
