"""``search_runs``: find past runs by text and/or image."""
