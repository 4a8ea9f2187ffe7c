"""The evaluation settings a city edits: grading method and rule, confidence, thresholds and error model."""

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analytics import vocabulary as v

SETTINGS_PATH = Path(__file__).resolve().parent.parent / "data" / "evaluation.toml"


class SettingsError(ValueError):
    """A settings file that cannot be used; the message is Japanese and names the file and key."""


@dataclass(frozen=True)
class Thresholds:
    """Lower bounds, in %, of 順調 and やや遅れ; 遅れ starts at 0 and 悪化 below it by definition."""

    on_track: float = 95.0
    slightly_behind: float = 60.0


@dataclass(frozen=True)
class Breakdowns:
    """How 年代/地域 cells are judged: the n below which a cell is only 参考値, and the
    Benjamini–Hochberg false discovery rate that controls flags among the cells of one indicator and year."""

    min_respondents: float = 100.0
    false_discovery_rate: float = 0.05


@dataclass(frozen=True)
class DesignEffects:
    """Kish design effect per survey: 1.0 for simple random sampling, larger for clustered or weighted ones."""

    citizen: float = 1.0
    staff: float = 1.0

    def of(self, respondent: str) -> float:
        """The design effect of the survey that answers an indicator (1.0 for 業務統計, which has no sample)."""
        return {v.CITIZEN: self.citizen, v.STAFF: self.staff}.get(respondent, 1.0)


@dataclass(frozen=True)
class Settings:
    """How to grade: the method and rule, the confidence level, thresholds for each method, and the error model."""

    method: str = v.LINEAR
    confidence: float = 0.95
    status_rule: str = v.EVIDENCE
    linear: Thresholds = field(default_factory=Thresholds)
    cagr: Thresholds = field(default_factory=Thresholds)
    breakdowns: Breakdowns = field(default_factory=Breakdowns)
    count_tolerance: float = 1.0
    design_effect: DesignEffects = field(default_factory=DesignEffects)

    def thresholds(self, method: str | None = None) -> Thresholds:
        return self.cagr if (method or self.method) == v.CAGR else self.linear


def load_settings(path: Path = SETTINGS_PATH) -> Settings:
    """Read and check a settings file; keys left out keep their defaults, unknown keys are errors
    (a misspelt key silently ignored would leave the city grading with thresholds it did not choose)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path.name}: 設定ファイルを読めません（{error}）。") from error
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        where = f" {line.group(1)}行目" if line else ""
        raise SettingsError(
            f"{path.name}{where}: TOML の書式が正しくありません（「キー = 値」の形、引用符、[見出し] を確認してください）。"
        ) from error
    sections = {"breakdowns", "counts", "design_effect"}
    # [actions] belongs to the yearly evaluation cycle and is checked by analytics.actions.settings,
    # [reports] by analytics.reports.pptx_report.
    _reject_unknown(
        path.name, "", raw, {"method", "confidence", "status_rule", "actions", "reports", *v.METHODS, *sections}
    )
    method = _choice(path.name, "method", raw.get("method", v.LINEAR), v.METHODS)
    status_rule = _choice(path.name, "status_rule", raw.get("status_rule", v.EVIDENCE), v.STATUS_RULES)
    breakdowns, counts, design = (_section(path.name, name, raw.get(name, {})) for name in sorted(sections))
    confidence = _number(path.name, "confidence", raw.get("confidence", 0.95))
    if not 0 < confidence < 1:
        raise SettingsError(
            f"{path.name} の「confidence」: 0 と 1 の間の値（例: 0.95）にしてください（値: {confidence}）。"
        )
    _reject_unknown(path.name, "breakdowns.", breakdowns, {"min_respondents", "false_discovery_rate"})
    _reject_unknown(path.name, "counts.", counts, {"tolerance"})
    _reject_unknown(path.name, "design_effect.", design, {"citizen", "staff"})
    cell_defaults, design_defaults = Breakdowns(), DesignEffects()
    rate = _number(
        path.name,
        "breakdowns.false_discovery_rate",
        breakdowns.get("false_discovery_rate", cell_defaults.false_discovery_rate),
    )
    if not 0 < rate < 1:
        raise SettingsError(
            f"{path.name} の「breakdowns.false_discovery_rate」: 0 と 1 の間の値（例: 0.05）にしてください（値: {rate}）。"
        )
    return Settings(
        method=method,
        confidence=confidence,
        status_rule=status_rule,
        **{method: _thresholds(path.name, method, raw.get(method, {})) for method in v.METHODS},
        breakdowns=Breakdowns(
            min_respondents=_positive(
                path.name,
                "breakdowns.min_respondents",
                breakdowns.get("min_respondents", cell_defaults.min_respondents),
                allow_zero=True,
            ),
            false_discovery_rate=rate,
        ),
        count_tolerance=_positive(path.name, "counts.tolerance", counts.get("tolerance", 1.0), allow_zero=True),
        design_effect=DesignEffects(
            **{
                survey: _positive(path.name, f"design_effect.{survey}", design.get(survey, default))
                for survey, default in vars(design_defaults).items()
            }
        ),
    )


def _choice(file_name: str, key: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SettingsError(
            f"{file_name} の「{key}」: {' または '.join(f'{a!r}' for a in allowed)} を指定してください（値: {value!r}）。"
        )
    return value


def _section(file_name: str, section: str, raw: object) -> dict:
    if not isinstance(raw, dict):
        raise SettingsError(f"{file_name} の「{section}」: [{section}] の見出しの下に値を書いてください。")
    return raw


def _positive(file_name: str, key: str, value: object, allow_zero: bool = False) -> float:
    number = _number(file_name, key, value)
    if number < 0 or (number == 0 and not allow_zero):
        bound = "0 以上" if allow_zero else "0 より大きい値"
        raise SettingsError(f"{file_name} の「{key}」: {bound}にしてください（値: {number:g}）。")
    return number


def _thresholds(file_name: str, section: str, raw: object) -> Thresholds:
    if not isinstance(raw, dict):
        raise SettingsError(f"{file_name} の「{section}」: [{section}] の見出しの下に境目を書いてください。")
    _reject_unknown(file_name, f"{section}.", raw, {"on_track", "slightly_behind"})
    defaults = Thresholds()
    on_track = _number(file_name, f"{section}.on_track", raw.get("on_track", defaults.on_track))
    behind = _number(file_name, f"{section}.slightly_behind", raw.get("slightly_behind", defaults.slightly_behind))
    if not 0 < behind < on_track:
        raise SettingsError(
            f"{file_name} の「{section}」: 0 < slightly_behind < on_track となるようにしてください"
            f"（slightly_behind = {behind:g}、on_track = {on_track:g}）。"
        )
    return Thresholds(on_track=on_track, slightly_behind=behind)


def _reject_unknown(file_name: str, prefix: str, raw: dict, known: set[str]) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(
            f"{file_name} の「{prefix}{unknown[0]}」: 使えない項目名です（綴りを確認してください。"
            f"使える項目: {', '.join(sorted(known))}）。"
        )


def _number(file_name: str, key: str, value: object) -> float:
    # bool is an int in Python, but `on_track = true` is a mistake, not 1%.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"{file_name} の「{key}」: 数値で書いてください（値: {value!r}）。")
    # TOML accepts inf and nan, and either would pass every comparison below in a way nobody meant.
    if not math.isfinite(value):
        raise SettingsError(f"{file_name} の「{key}」: 有限の数値で書いてください（値: {value!r}）。")
    return float(value)
