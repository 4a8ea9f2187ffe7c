"""Streamlit glue shared by the pages; all logic stays in analytics/."""
