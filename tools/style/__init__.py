"""Style retrieval (``retrieve_style``) and restyling (``stylize``)."""
