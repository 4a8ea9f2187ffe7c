"""概要: where every indicator stands, latest value first."""

import streamlit as st

from analytics.presentation import tabulate_latest_values
from ui.context import read_current_plan, read_observations, show_header

show_header("概要")
plan = read_current_plan()
st.subheader("各指標の最新値")
st.table(tabulate_latest_values(plan.indicators, read_observations()), hide_index=True)
