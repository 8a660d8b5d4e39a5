"""Benchmark scoring: metrics as pure functions, and evaluators that stream a benchmark file."""
