"""The agent's wording as plain text files (see README.md); no code lives here."""
