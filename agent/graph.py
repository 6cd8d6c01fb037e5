"""The graph, declared in one place: plan -> validate -> (ask | revert | act* | respond) -> respond, and from
respond a pause (``await_input``) when a step asked the user for an image; attaching it resumes at that step.
``revert`` ("undo that", "go back to the sketch") runs no tool: the working image becomes an earlier result."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.graph import END, START, StateGraph

from atelier.agent.nodes.act import act_node, route_after_act
from atelier.agent.nodes.await_input import await_input_node
from atelier.agent.nodes.plan import plan_node
from atelier.agent.nodes.respond import ask_node, respond_node, route_after_respond
from atelier.agent.nodes.revert import revert_node
from atelier.agent.nodes.validate import route_after_validate, validate_node
from atelier.agent.state import AgentState


def build_graph(checkpointer=None):
    g = StateGraph(AgentState)
    g.add_node("plan", plan_node)
    g.add_node("validate", validate_node)
    g.add_node("act", act_node)
    g.add_node("respond", respond_node)
    g.add_node("ask", ask_node)
    g.add_node("await_input", await_input_node)
    g.add_node("revert", revert_node)
    g.add_edge(START, "plan")
    g.add_edge("plan", "validate")
    g.add_conditional_edges("validate", route_after_validate, {"ask": "ask", "act": "act", "respond": "respond",
                                                                  "revert": "revert"})
    g.add_conditional_edges("act", route_after_act, {"act": "act", "respond": "respond"})
    g.add_conditional_edges("respond", route_after_respond, {"await_input": "await_input", "end": END})
    g.add_edge("await_input", "act")
    g.add_edge("ask", END)
    g.add_edge("revert", END)
    return g.compile(checkpointer=checkpointer)


def sqlite_checkpointer(path: Path):
    """Conversations as threads in SQLite under ATELIER_HOME."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    saver = SqliteSaver(sqlite3.connect(str(path), check_same_thread=False))
    saver.setup()  # tables exist before anyone lists threads
    with saver.conn:
        saver.conn.execute("CREATE TABLE IF NOT EXISTS thread_titles (thread_id TEXT PRIMARY KEY, title TEXT)")
    return saver
