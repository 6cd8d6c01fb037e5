"""Sketchify: photo -> pencil sketch (colour-dodge lines, tonal shading, layered synthesis, graphite grain)."""
