"""Pieces of the page: sidebar, the agent's reply, the sprite panel."""
