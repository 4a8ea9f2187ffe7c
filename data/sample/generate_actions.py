"""Generate the fictional 取組項目 reports FY2022–FY2024 shipped in data/sample/actions/ (fixed seed, reproducible).

Run `python data/sample/generate_actions.py` from the project root. Each file is a filled 調査票 as a
担当課 would return it, so the sample is loaded through the same reader staff use.
"""

import io
import sys
from pathlib import Path

import numpy as np
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analytics.actions.settings import DIRECTIONS, load_action_settings
from analytics.actions.survey import SHEET, build_survey, survey_departments
from analytics.files import write_file_atomically
from analytics.plan import load_plans
from analytics.spreadsheets import save_workbook

YEARS = (2022, 2023, 2024)
SEED = 20221015
OUTPUT = Path(__file__).resolve().parent / "actions"
# Chance of each 実施状況 (best first); later years go a little better, as a plan that is being worked on does.
WEIGHTS = {2022: (0.10, 0.55, 0.25, 0.10), 2023: (0.12, 0.60, 0.22, 0.06), 2024: (0.15, 0.65, 0.17, 0.03)}
RESULTS = ("（サンプル）計画どおり実施した。", "（サンプル）一部の地区で実施した。", "（サンプル）実施を見送った。")
ISSUES = ("（サンプル）参加者の固定化", "（サンプル）担い手の不足", "（サンプル）周知の不足", "")


def main() -> None:
    """Write one filled 調査票 per 担当課 and year."""
    plan, settings = load_plans()[-1], load_action_settings()
    generator = np.random.default_rng(SEED)
    OUTPUT.mkdir(exist_ok=True)
    for year in YEARS:
        for department, actions in survey_departments(plan).groupby("department"):
            workbook = load_workbook(io.BytesIO(build_survey(plan, year, department, actions, settings)))
            sheet = workbook[SHEET]
            for row in range(5, 5 + len(actions)):
                status = int(generator.choice(len(settings.scale), p=WEIGHTS[year]))
                sheet.cell(row, 3, settings.scale[status])
                sheet.cell(row, 4, RESULTS[min(status, 2) if status else 0])
                if status < 3:
                    sheet.cell(row, 5, int(generator.integers(1, 13)))
                    sheet.cell(row, 6, int(generator.integers(10, 400)))
                sheet.cell(row, 7, ISSUES[int(generator.integers(len(ISSUES)))])
                sheet.cell(row, 8, DIRECTIONS[int(generator.choice(4, p=(0.2, 0.5, 0.25, 0.05)))])
            content = save_workbook(workbook)
            path = OUTPUT / f"調査票_{year}年度_{department}_sample.xlsx"
            write_file_atomically(path, lambda stream, data=content: stream.write(data))
            print(path)


if __name__ == "__main__":
    main()
