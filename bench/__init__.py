"""Measurements of the advisor (accuracy, latency, load, safety screens) and the training of its learned models."""
