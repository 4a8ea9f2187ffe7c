"""What shown is still fictional sample data, said exactly, so a live dashboard never hides or overstates it."""

import pandas as pd


def describe_sample(indicators: pd.DataFrame, observations: pd.DataFrame) -> list[str]:
    """One Japanese phrase per kind of fictional value still shown; empty once everything is real."""
    parts = []
    if count := int(indicators["sample"].sum()):
        parts.append(f"基準値・目標値（{count}指標）がサンプルです")
    years = observations.loc[observations["sample"], "fiscal_year"]
    if not years.empty:
        parts.append(f"調査結果（{years.min()}〜{years.max()}年度）がサンプルです")
    return parts
