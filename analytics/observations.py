"""Observation keys and how an incoming set of values compares with what is already stored."""

import pandas as pd

KEY = ["indicator_code", "fiscal_year", "dimension", "category"]
NEW, UNCHANGED, CHANGED = "new", "unchanged", "changed"
CHANGE_LABELS = {NEW: "新規", UNCHANGED: "変更なし", CHANGED: "変更"}


def classify_observations(current: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """Incoming rows with `change` (new / unchanged / changed) and the stored `old_value`, `old_respondents`.

    A row counts as changed when its value or its respondent count differs; the note alone does not.
    """
    stored = current[[*KEY, "value", "respondents"]].rename(
        columns={"value": "old_value", "respondents": "old_respondents"}
    )
    merged = incoming.merge(stored, on=KEY, how="left", validate="one_to_one")
    exists = merged["old_value"].notna()
    same_value = merged["old_value"].round(9).eq(merged["value"].round(9))
    same_n = merged["old_respondents"].astype("Int64").fillna(-1).eq(merged["respondents"].astype("Int64").fillna(-1))
    change = pd.Series(NEW, index=merged.index).mask(exists, CHANGED).mask(exists & same_value & same_n, UNCHANGED)
    return merged.assign(change=change)
