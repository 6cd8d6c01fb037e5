"""Atelier's image tools, one folder each: pure image maths plus a ``SPEC`` that says everything about the tool."""

import atelier.core  # noqa: F401  (sets the offline switches before any tool imports a model library)
