"""The graph's nodes: each a small function ``state -> partial update``."""
