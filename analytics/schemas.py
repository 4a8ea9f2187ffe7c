"""The shape of every frame that enters analytics: plan nodes, indicators and observations."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analytics import vocabulary as v


class NodeFrame(pa.DataFrameModel):
    """Every plan node but indicators, one row each, parents before children."""

    kind: Series[str] = pa.Field(isin=[v.POLICY, v.MEASURE, v.DIRECTION, v.ACTION])
    code: Series[str]
    parent_code: Series[str] = pa.Field(nullable=True)
    policy_code: Series[str]
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    position: Series[int] = pa.Field(ge=0)
    # 担当課 of a 取組項目 (other kinds leave them empty); related sections joined with 「、」.
    lead_department: Series[str] = pa.Field(nullable=True, required=False)
    related_departments: Series[str] = pa.Field(nullable=True, required=False)

    class Config:
        strict = True
        coerce = True
        unique = ["kind", "code"]


class IndicatorFrame(pa.DataFrameModel):
    """One row per 施策評価指標 with its baseline and target."""

    code: Series[str] = pa.Field(unique=True)
    policy_code: Series[str]
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    respondent: Series[str] = pa.Field(isin=list(v.RESPONDENTS))
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    higher_is_better: Series[bool]
    baseline_year: Series[int]
    baseline_value: Series[float]
    target_year: Series[int]
    target_value: Series[float]
    sample: Series[bool]
    position: Series[int] = pa.Field(ge=0)
    # Optional error-model inputs (issue 12): the baseline's n and the surveyed population's size.
    baseline_respondents: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    population: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    # The definition as the plan states it (調査名, 設問文, 集計に含める回答, 対象, 調査時期, 出典)
    # and its 担当課; optional, so frames built for grading alone may leave them out.
    survey_name: Series[str] = pa.Field(nullable=True, required=False)
    survey_question: Series[str] = pa.Field(nullable=True, required=False)
    counted_answers: Series[str] = pa.Field(nullable=True, required=False)
    survey_subjects: Series[str] = pa.Field(nullable=True, required=False)
    survey_timing: Series[str] = pa.Field(nullable=True, required=False)
    data_source: Series[str] = pa.Field(nullable=True, required=False)
    lead_department: Series[str] = pa.Field(nullable=True, required=False)
    related_departments: Series[str] = pa.Field(nullable=True, required=False)

    class Config:
        strict = True
        coerce = True
        add_missing_columns = True


class YearlyTargetFrame(pa.DataFrameModel):
    """A plan's interim target (年次目標) for one indicator in one fiscal year between baseline and target."""

    indicator_code: Series[str]
    fiscal_year: Series[int]
    value: Series[float]

    class Config:
        strict = True
        coerce = True


class ObservationFrame(pa.DataFrameModel):
    """One measured value: an indicator in a fiscal year, overall or for one breakdown cell."""

    indicator_code: Series[str]
    fiscal_year: Series[int]
    dimension: Series[str]
    category: Series[str]
    value: Series[float]
    respondents: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    note: Series[str]
    sample: Series[bool]

    class Config:
        strict = True
        coerce = True
        unique = ["indicator_code", "fiscal_year", "dimension", "category"]
