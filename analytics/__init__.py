"""Indicator logic for the 参画と協働 dashboard: plan, store, import and evaluation, free of any UI."""
