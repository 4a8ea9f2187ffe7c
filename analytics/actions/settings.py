"""The `[actions]` section of the settings file: the 実施状況 scale and the 一次評価 thresholds."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from analytics.evaluation_settings import SETTINGS_PATH, SettingsError

DIRECTIONS = ("拡充", "継続", "改善", "縮小", "廃止・統合")
GRADES = {"A": "順調", "B": "おおむね順調", "C": "やや遅れ", "D": "遅れ"}


@dataclass(frozen=True)
class ActionSettings:
    """The city's 実施状況 scale (best first), how many of its top choices count as 計画どおり以上,
    and the grade thresholds in percent."""

    scale: tuple[str, ...] = ("◎ 計画以上", "○ 計画どおり", "△ 一部未実施", "✕ 未実施")
    good: int = 2
    grade_a: float = 80
    grade_b: float = 60
    grade_c: float = 40

    @property
    def good_statuses(self) -> tuple[str, ...]:
        """The choices that count as 計画どおり以上."""
        return self.scale[: self.good]


def load_action_settings(path: Path = SETTINGS_PATH) -> ActionSettings:
    """Read `[actions]`; keys left out keep their defaults, a scale or thresholds that make no sense are errors."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("actions", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{Path(path).name}: 設定ファイルを読めません（{error}）。") from error
    defaults = ActionSettings()
    unknown = sorted(set(raw) - set(vars(defaults)))
    if unknown:
        raise SettingsError(
            f"{Path(path).name} の [actions] に知らない項目「{unknown[0]}」があります。綴りを確かめてください。"
        )
    scale = tuple(str(choice).strip() for choice in raw.get("scale", defaults.scale))
    good = raw.get("good", defaults.good)
    thresholds = [raw.get(key, getattr(defaults, key)) for key in ("grade_a", "grade_b", "grade_c")]
    if len(scale) < 2 or len(set(scale)) != len(scale) or not all(scale):
        raise SettingsError(f"{Path(path).name} の「actions.scale」: 重複のない2つ以上の選択肢を並べてください。")
    if not isinstance(good, int) or not 1 <= good < len(scale):
        raise SettingsError(f"{Path(path).name} の「actions.good」: 1 から {len(scale) - 1} までの整数にしてください。")
    if (
        not all(isinstance(t, int | float) for t in thresholds)
        or not 100 >= thresholds[0] > thresholds[1] > thresholds[2] >= 0
    ):
        raise SettingsError(
            f"{Path(path).name} の「actions.grade_a / grade_b / grade_c」: 100 以下で大きい順（例: 80, 60, 40）にしてください。"
        )
    return ActionSettings(scale, good, *map(float, thresholds))
