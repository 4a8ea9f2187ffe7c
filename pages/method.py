"""評価方法: how statuses are decided, one worked example from the current data, and any indicator's status explained."""

import streamlit as st

from analytics.method import describe_method, explain_status, work_example
from ui.context import read_evaluation, read_settings, show_header

show_header("評価方法")
settings = read_settings()
result = read_evaluation()
indicators = result.indicators.set_index("code", drop=False)

st.subheader("この指標の状況の理由")
codes = list(indicators.index)
asked = st.query_params.get("indicator")
code = st.selectbox(
    "指標",
    codes,
    index=codes.index(asked) if asked in codes else 0,
    format_func=lambda c: f"{c}　{indicators.loc[c, 'name']}",
    key="method_indicator",
)
st.query_params["indicator"] = code
st.info(explain_status(indicators.loc[code], settings, result.method), icon=":material/help:")

for heading, paragraphs in describe_method(settings, result.method):
    st.subheader(heading)
    st.markdown("\n\n".join(paragraphs))

example_code, example = work_example(result, settings)
st.subheader(f"現在のデータでの例（{example_code}）" if example_code else "現在のデータでの例")
st.markdown(example)
