"""The settings file a city edits: defaults, partial files, and Japanese errors naming file and key."""

import pytest

from analytics import vocabulary as v
from analytics.evaluation_settings import (
    SETTINGS_PATH,
    Breakdowns,
    DesignEffects,
    Settings,
    SettingsError,
    Thresholds,
    load_settings,
)


def write(tmp_path, text: str):
    path = tmp_path / "evaluation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_settings_are_the_issue_defaults():
    assert load_settings(SETTINGS_PATH) == Settings(
        method=v.LINEAR,
        confidence=0.95,
        status_rule=v.EVIDENCE,
        linear=Thresholds(95.0, 60.0),
        cagr=Thresholds(95.0, 60.0),
        breakdowns=Breakdowns(min_respondents=100.0, false_discovery_rate=0.05),
        count_tolerance=1.0,
        design_effect=DesignEffects(citizen=1.0, staff=1.0),
    )


def test_error_model_settings_are_read_from_their_sections(tmp_path):
    text = (
        'status_rule = "point"\n[breakdowns]\nmin_respondents = 50\nfalse_discovery_rate = 0.1\n'
        "[counts]\ntolerance = 0\n[design_effect]\ncitizen = 1.5\n"
    )
    assert load_settings(write(tmp_path, text)) == Settings(
        status_rule=v.POINT,
        breakdowns=Breakdowns(min_respondents=50.0, false_discovery_rate=0.1),
        count_tolerance=0.0,
        design_effect=DesignEffects(citizen=1.5, staff=1.0),
    )


def test_keys_left_out_keep_their_defaults(tmp_path):
    settings = load_settings(write(tmp_path, 'method = "cagr"\n[cagr]\non_track = 90\n'))
    assert settings == Settings(method=v.CAGR, cagr=Thresholds(on_track=90.0, slightly_behind=60.0))
    assert settings.thresholds() == Thresholds(90.0, 60.0)
    assert settings.thresholds(v.LINEAR) == Thresholds(95.0, 60.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'method = "straight"',
            "evaluation.toml の「method」: 'linear' または 'cagr' を指定してください（値: 'straight'）",
        ),
        ("confidence = 1.5", "evaluation.toml の「confidence」: 0 と 1 の間の値"),
        ("confidence = true", "evaluation.toml の「confidence」: 数値で書いてください（値: True）"),
        ('[linear]\non_track = "95"', "evaluation.toml の「linear.on_track」: 数値で書いてください"),
        (
            "[linear]\non_track = 50\nslightly_behind = 60",
            "evaluation.toml の「linear」: 0 < slightly_behind < on_track",
        ),
        ("[cagr]\nslightly_behind = 0", "evaluation.toml の「cagr」: 0 < slightly_behind < on_track"),
        ('metod = "linear"', "evaluation.toml の「metod」: 使えない項目名です"),
        ("[cagr]\non_trak = 90", "evaluation.toml の「cagr.on_trak」: 使えない項目名です"),
        ("linear = 95", "evaluation.toml の「linear」: [linear] の見出しの下に"),
        ("confidence = 0.95\nmethod = linear", "evaluation.toml 2行目: TOML の書式が正しくありません"),
        ("confidence = nan", "evaluation.toml の「confidence」: 有限の数値で書いてください（値: nan）"),
        ("[linear]\non_track = inf", "evaluation.toml の「linear.on_track」: 有限の数値で書いてください（値: inf）"),
        ("[cagr]\nslightly_behind = -inf", "evaluation.toml の「cagr.slightly_behind」: 有限の数値"),
        ('status_rule = "strict"', "evaluation.toml の「status_rule」: 'evidence' または 'point' を指定してください"),
        ("[design_effect]\nstaff = 0", "evaluation.toml の「design_effect.staff」: 0 より大きい値にしてください"),
        ("[design_effect]\ncitizen = nan", "evaluation.toml の「design_effect.citizen」: 有限の数値"),
        ("[design_effect]\nresidents = 1.2", "evaluation.toml の「design_effect.residents」: 使えない項目名です"),
        ("[counts]\ntolerance = -1", "evaluation.toml の「counts.tolerance」: 0 以上にしてください（値: -1）"),
        ("[breakdowns]\nmin_respondents = inf", "evaluation.toml の「breakdowns.min_respondents」: 有限の数値"),
        (
            "[breakdowns]\nfalse_discovery_rate = 1",
            "evaluation.toml の「breakdowns.false_discovery_rate」: 0 と 1 の間の値",
        ),
        ("counts = 1", "evaluation.toml の「counts」: [counts] の見出しの下に"),
    ],
)
def test_malformed_settings_raise_a_japanese_error_naming_file_and_key(tmp_path, text, message):
    with pytest.raises(SettingsError) as raised:
        load_settings(write(tmp_path, text))
    assert message in str(raised.value)


def test_missing_settings_file_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError, match=r"absent\.toml: 設定ファイルを読めません"):
        load_settings(tmp_path / "absent.toml")
