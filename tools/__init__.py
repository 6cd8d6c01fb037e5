"""Atelier's image tools: pure image maths per tool plus thin typed wrappers (see ``core``)."""

import os

# Nothing in Atelier may reach a model hub at run time; this must be set before any Hugging Face import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
