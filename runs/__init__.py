"""Runs: the record of every tool call (``store``), the recorded call (``invoke``) and batches (``batch``)."""
