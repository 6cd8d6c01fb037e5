"""Faces shared by the eye and restoration tools: landmark backends, eye geometry, alignment and blending."""
