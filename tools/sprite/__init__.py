"""Sprite reconstruction: the true pixel grid of upscaled or AI-made pixel art, and the clean low-res sprite."""
