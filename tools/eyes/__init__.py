"""The eye tools: ``detect_closed_eyes`` and ``open_eyes`` (inpainters under ``backends/``)."""
