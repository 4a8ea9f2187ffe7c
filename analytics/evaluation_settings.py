"""The evaluation settings a city edits: grading method, confidence level and status thresholds."""

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
class Settings:
    """How to grade: the method, the confidence level, and thresholds for each method."""

    method: str = v.LINEAR
    confidence: float = 0.95
    linear: Thresholds = field(default_factory=Thresholds)
    cagr: Thresholds = field(default_factory=Thresholds)

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
    _reject_unknown(path.name, "", raw, {"method", "confidence", *v.METHODS})
    method = raw.get("method", v.LINEAR)
    if method not in v.METHODS:
        raise SettingsError(
            f"{path.name} の「method」: {' または '.join(f'{m!r}' for m in v.METHODS)} を指定してください（値: {method!r}）。"
        )
    confidence = _number(path.name, "confidence", raw.get("confidence", 0.95))
    if not 0 < confidence < 1:
        raise SettingsError(
            f"{path.name} の「confidence」: 0 と 1 の間の値（例: 0.95）にしてください（値: {confidence}）。"
        )
    return Settings(
        method=method,
        confidence=confidence,
        **{method: _thresholds(path.name, method, raw.get(method, {})) for method in v.METHODS},
    )


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
    return float(value)
