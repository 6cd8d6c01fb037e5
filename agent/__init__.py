"""The agent side: recorded tool calls, batches, the `atelier` CLI (and, next, the LangGraph planner graph)."""
