"""The yearly evaluation cycle (issue 15): 取組項目 reports, 調査票, 一次評価 and 二次評価."""
