"""Generate the fictional sample survey results shipped in data/sample/ (fixed seed, reproducible).

Run `python data/sample/generate.py` from the project root. Each indicator's overall series is written
out by hand so that, once evaluated, the indicators land in deliberately different states; respondent
counts and the 年代/地域 breakdowns are drawn from a seeded generator around those series.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analytics import vocabulary as v
from analytics.plan import load_plans
from analytics.spreadsheets import write_workbook

YEARS = list(range(2015, 2025))
SEED = 20241130
OUTPUT = Path(__file__).resolve().parent

# Overall values FY2015–FY2024 (baselines FY2015, targets FY2025 in data/plan/2_1130.yaml). None = not surveyed.
SERIES = {
    "1-①": [42.0, 43.1, 44.6, 45.9, 47.0, 48.2, 49.5, 50.6, 52.1, 53.4],  # on track to target
    "1-②": [48.0, 48.9, 49.2, 50.1, 50.4, 51.0, 50.8, 51.5, 52.0, 52.3],  # behind, beyond sampling error
    "1-③": [35.0, 36.2, 36.9, 37.5, 38.8, 39.4, 40.1, 41.0, 41.6, 42.3],  # a little behind, within error
    "1-④": [22.0, 22.8, 23.1, 22.4, 21.9, 21.2, 20.8, 20.1, 19.7, 19.2],  # worsening, below baseline
    "1-⑤": [30.0, 30.9, 31.5, 32.4, 33.0, 33.9, 34.6, 35.2, 36.1, None],  # not surveyed in FY2024
    "1-⑥": [12.0, 12.7, 13.3, 14.1, 14.6, 15.2, 15.9, 16.4, 17.8, 17.3],  # last dip smaller than its margin
    "2-①": [40.0, 41.2, 42.5, 43.6, 44.8, 45.9, 47.1, 48.3, 49.6, 50.4],  # target already met
    "2-②": [120, 122, 126, 129, 131, 135, 138, 140, 144, 147],  # administrative count, on track
    "3-①": [55.0, 56.8, 58.1, 59.5, 60.2, 61.8, 62.9, 64.1, 65.0, 66.2],  # staff, behind beyond error
    "3-②": [35.0, 36.1, 37.0, 38.2, 39.1, 40.0, 41.2, 42.1, 43.0, 44.1],  # staff, on track
    "3-③": [15.0, 15.8, 16.5, 17.3, 18.0, 18.6, 19.3, 20.1, 20.9, 16.0],  # staff, significant drop in FY2024
}

AGES = {"10代": 0.04, "20代": 0.08, "30代": 0.11, "40代": 0.15, "50代": 0.16, "60代": 0.20, "70歳以上": 0.26}
AGE_EFFECTS = {"10代": -5.0, "20代": -8.0, "30代": -4.0, "40代": -1.0, "50代": 1.0, "60代": 3.0, "70歳以上": 4.0}
# Community names seen on the city's public pages; fictional values, and not the official list of 14.
AREAS = ["けやき坂", "緑台・陽明", "明峰", "桜小", "牧の台", "東谷", "北陵", "清和台", "多田", "加茂", "川西"]

COLUMNS = {
    "fiscal_year": "年度",
    "indicator_code": "指標",
    "value": "値",
    "respondents": "回答者数",
    "dimension": "区分",
    "category": "区分値",
    "note": "備考",
}


def build_observations(indicators: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every sample observation: overall values with n, breakdowns for the citizen survey."""
    citizen_n = dict(zip(YEARS, rng.integers(1180, 1420, len(YEARS)), strict=True))
    staff_n = dict(zip(YEARS, rng.integers(640, 860, len(YEARS)), strict=True))
    area_effects = rng.uniform(-4.0, 4.0, len(AREAS))
    rows = []
    for indicator in indicators.itertuples():
        for year, value in zip(YEARS, SERIES[indicator.code], strict=True):
            if value is None:
                continue
            if indicator.respondent == v.ADMINISTRATIVE:
                rows.append(_row(indicator.code, year, "", "", value, None))
                continue
            survey_n = (citizen_n if indicator.respondent == v.CITIZEN else staff_n)[year]
            n = int(survey_n - rng.integers(0, 30))  # item non-response differs by question
            rows.append(_row(indicator.code, year, "", "", value, n))
            if indicator.respondent == v.CITIZEN:
                age_n = rng.multinomial(n, list(AGES.values()))
                for (age, effect), group_n in zip(AGE_EFFECTS.items(), age_n, strict=True):
                    rows.append(_row(indicator.code, year, v.AGE, age, _group(value, effect, group_n, rng), group_n))
                area_n = rng.multinomial(n, [1 / len(AREAS)] * len(AREAS))
                for area, effect, group_n in zip(AREAS, area_effects, area_n, strict=True):
                    rows.append(_row(indicator.code, year, v.AREA, area, _group(value, effect, group_n, rng), group_n))
    return pd.DataFrame(rows)


def _group(overall: float, effect: float, n: int, rng: np.random.Generator) -> float:
    share = np.clip(overall + effect, 1.0, 99.0) / 100
    return round(float(np.clip(rng.normal(share, np.sqrt(share * (1 - share) / n)), 0.0, 1.0)) * 100, 1)


def _row(code: str, year: int, dimension: str, category: str, value: float, n: int | None) -> dict:
    return {
        "fiscal_year": year,
        "indicator_code": code,
        "value": value,
        "respondents": n,
        "dimension": dimension,
        "category": category,
        "note": "サンプル（架空）データ",
    }


def main() -> None:
    indicators = load_plans()[-1].indicators
    observations = build_observations(indicators, np.random.default_rng(SEED))
    respondent = observations["indicator_code"].map(indicators.set_index("code")["respondent"])
    files = {
        "citizen_survey_sample.xlsx": ("市民意識調査（サンプル）", v.CITIZEN),
        "staff_survey_sample.xlsx": ("職員意識調査（サンプル）", v.STAFF),
        "administrative_count_sample.xlsx": ("業務統計（サンプル）", v.ADMINISTRATIVE),
    }
    for file_name, (sheet, who) in files.items():
        frame = observations[respondent == who].rename(columns=COLUMNS)[list(COLUMNS.values())]
        write_workbook(OUTPUT / file_name, {sheet: frame.astype({"回答者数": "Int64"})})
        print(f"{file_name}: {len(frame)} 行")


if __name__ == "__main__":
    main()
