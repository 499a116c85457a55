"""Latency and size benchmarks (not tests): desktop via LiteRT; phone via adb (see README)."""
