"""The spine every tool shares: config, errors, image I/O, the result contract, the registry and the runner.

Nothing in Atelier may reach a model hub at run time; every package imports ``atelier.core`` first, so the
offline switches are set here, before any Hugging Face import.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
