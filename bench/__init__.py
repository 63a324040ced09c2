"""The benchmark of issue 8: seed a data set, then time list pages through the full Flask stack.

Run ``python -m bench --db sqlite|postgresql --customers N`` (``make bench BENCH_ARGS=...``).
"""
