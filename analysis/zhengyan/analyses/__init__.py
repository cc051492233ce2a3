"""The analyses: functions from tables to tables — frequency, concordance, formulas (提法), co-occurrence, themes,
trends, dating (years) and periods. Imports ``core`` and ``ingest``, never what presents them."""
