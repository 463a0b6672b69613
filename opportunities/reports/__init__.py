"""The method's numbers for managers and staff (docs/reports.md).

Reports live in the board's app because they read both layers: people, touches and
referrals (cultivation) and cards (here). Each report is a list of `Figure`s built by
a function `build(scope) -> list[Figure]` in this package (funnel.py, pipeline.py,
referrals.py, discipline.py). A figure is a table (the truth: shown beneath its chart
for screen readers and for copying, and downloaded as CSV) and an optional chart
drawn from it on the server as SVG (charts.py). Every builder aggregates in the
database and runs a constant number of queries whatever the data size.
"""

from .scope import Chart, Figure, Scope, Series, Table

__all__ = ["Chart", "Figure", "Scope", "Series", "Table"]
