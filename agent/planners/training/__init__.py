"""Training the LLM planner: the data generator (``generate``), prompt/target pairs (``pairs``) and the LoRA
trainer (``train``, behind ``atelier models train-planner``)."""
