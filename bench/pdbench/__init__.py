"""ParallelDiff benchmark harness: seeded datasets, alternating peer runs, medians, reports."""
