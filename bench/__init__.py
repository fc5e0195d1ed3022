"""Benchmarks, one script each (see docs/performance.md); shared set-up in `common` and `data`."""
