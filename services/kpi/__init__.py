"""KPIs: one registry of indicators, computed for a scope (the department, a team, an agent) and a period.

- ``registry``: what a KPI is (label, formula, how it adds up, unit, decimals) and the tables of
  KPIs, measures and window figures; ``catalog`` registers the built-in ones (docs/kpis.md).
- ``measures``: additive counts (live, per team and agent); ``snapshot``: the nightly per-day store
  of every measure and a period's counts; ``windows`` / ``kept``: the figures of a whole period
  (backlog, retention…), kept once closed and refreshed while running.
- ``scope``, ``periods``, ``numbers``: whose figures, which days, how they are rounded and written.
- ``board``: the engine a request uses; ``report`` / ``workbook``: the tables, the report and its XLSX.

Importing the package registers the built-in KPIs (``catalog``), so every user of the tables sees them.
"""

from services.kpi import catalog  # noqa: E402, F401
