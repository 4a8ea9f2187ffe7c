"""Bring a city's own 体系表 in (seed text, xlsx, xls, or an exported YAML) and write a plan back out."""
