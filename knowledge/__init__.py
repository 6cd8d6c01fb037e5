"""What Atelier remembers: run records (the source of truth) and, later, the indexes built from them."""
