"""`atelier serve` for real: a server process on 127.0.0.1 (a random port, a token configured), called with httpx
and through the CLI with ATELIER_SERVER; results compared with the same calls made in this process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from atelier.core.registry import tool_names
from atelier.runs.invoke import call_tool

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
ATELIER = str(Path(sys.executable).parent / "atelier")
TOKEN = "s3cret-test-token"
MAX_BYTES = 2_000_000
VOLATILE = {"timings", "run_id", "artifacts", "host"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("server-home")
    port = free_port()
    env = {**os.environ, "ATELIER_HOME": str(home), "ATELIER_MODELS": str(home / "models"),
           "ATELIER_TOKEN": TOKEN, "ATELIER_MAX_BYTES": str(MAX_BYTES), "HF_HUB_OFFLINE": "1"}
    env.pop("ATELIER_SERVER", None)
    log = (home / "server.log").open("w")
    proc = subprocess.Popen([ATELIER, "serve", "--port", str(port), "--no-warm"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
        assert proc.poll() is None, (home / "server.log").read_text()
    else:
        proc.kill()
        pytest.fail("the server did not start: " + (home / "server.log").read_text())
    yield {"base": base, "home": home, "env": env}
    proc.terminate()
    proc.wait(20)
    log.close()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server["base"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as c:
        yield c


def photo(path: Path, side: int = 192, source: str = "astronaut.png") -> Path:
    Image.open(SAMPLES / source).convert("RGB").resize((side, side)).save(path)
    return path


def punk(path: Path) -> Path:
    from punk_render import random_label, render

    Image.fromarray(render(random_label(np.random.default_rng(3)))).save(path)
    return path


def comparable(result: dict) -> dict:
    """A result without what differs between two identical calls (timings, ids, file locations, the host)."""
    out = {k: v for k, v in result.items() if k not in VOLATILE}
    out["metrics"] = {k: v for k, v in result.get("metrics", {}).items() if "seconds" not in k}
    return json.loads(json.dumps(out).replace(str(REPO), "<repo>"))


def pixels(source: str | Path, client: httpx.Client | None = None) -> np.ndarray:
    if client is not None:
        response = client.get(str(source))
        assert response.status_code == 200
        import io

        return np.asarray(Image.open(io.BytesIO(response.content)))
    return np.asarray(Image.open(source))


def post_tool(client: httpx.Client, name: str, images: dict[str, Path], args: dict) -> httpx.Response:
    files = {role: (path.name, path.read_bytes()) for role, path in images.items()}
    return client.post(f"/tools/{name}", data={"args": json.dumps(args)}, files=files or None)


def cases(tmp: Path) -> dict[str, tuple[dict[str, Path], dict]]:
    """One working call of every shipped tool."""
    sketch = photo(tmp / "photo.png")
    face = photo(tmp / "face.png", 384)
    blink = photo(tmp / "blink.png", 384, "astronaut_blink.png")
    return {
        "sketchify": ({"image": sketch}, {"seed": 5}),
        "detect_closed_eyes": ({"image": blink}, {}),
        "open_eyes": ({"image": blink, "ref": face}, {"seed": 1}),
        "best_take": ({"image": blink, "frame_1": face}, {}),
        "restore_face": ({"image": face}, {}),
        "retrieve_style": ({}, {"query": "neon rainy city at night"}),
        "stylize": ({"image": sketch, "ref": photo(tmp / "ref.png", 128, "coffee.png")}, {"seed": 2}),
        "search_runs": ({}, {"query": "pencil sketch"}),
        "reconstruct_sprite": ({"image": SAMPLES / "sprite_upscaled.png"}, {}),
        "describe_punk": ({"image": punk(tmp / "punk.png")}, {}),
    }


def test_each_tool_over_http_matches_in_process(server, client, tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_HOME", str(server["home"]))  # the same home (style index, past runs)
    monkeypatch.setenv("ATELIER_MODELS", str(server["home"] / "models"))
    calls = cases(tmp_path)
    assert set(calls) >= set(tool_names()), "a tool without an HTTP case"
    for name, (images, args) in calls.items():
        if name == "search_runs":  # it indexes new runs first; let it catch up so both calls see one index
            call_tool(name, images, args, record=False)
        local = call_tool(name, images, args).model_dump(mode="json")
        response = post_tool(client, name, images, args)
        remote = response.json()
        assert response.status_code == 200, remote
        assert remote["host"] == socket.gethostname()
        assert comparable(remote) == comparable(local), name
        assert set(remote["artifacts"]) == set(local["artifacts"]), name
        for key, url in remote["artifacts"].items():
            assert url.startswith(f"{server['base']}/runs/{remote['run_id']}/artifacts/")
            if url.endswith(".png"):
                assert np.array_equal(pixels(url, client), pixels(local["artifacts"][key])), (name, key)


def test_token_is_required_when_configured(server, tmp_path):
    image = photo(tmp_path / "p.png", 64)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        with httpx.Client(base_url=server["base"], headers=headers) as c:
            refused = post_tool(c, "sketchify", {"image": image}, {})
            assert refused.status_code == 401 and refused.json()["code"] == "UNAUTHORIZED"
            assert c.get("/runs").status_code == 401
    assert httpx.get(f"{server['base']}/health").json()["auth"] is True


def test_binding_beyond_loopback_needs_a_token(tmp_path):
    env = {**os.environ, "ATELIER_HOME": str(tmp_path / "h")}
    env.pop("ATELIER_TOKEN", None)
    proc = subprocess.run([ATELIER, "serve", "--host", "0.0.0.0", "--port", str(free_port()), "--no-warm"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "ATELIER_TOKEN" in proc.stderr


def test_corrupt_upload_is_400_invalid_image_and_recorded(server, client, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nthis is not a picture")
    response = post_tool(client, "sketchify", {"image": bad}, {})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "INVALID_IMAGE"
    assert "broken.png" in body["message"] and "atelier-upload" not in body["message"]
    record = client.get(f"/runs/{body['run_id']}").json()
    assert record["ok"] is False and record["error"]["code"] == "INVALID_IMAGE"
    assert record["context"]["names"] == {"image": "broken.png"}
    assert not list(server["home"].rglob("broken.png"))  # the raw upload is gone


def test_bad_arguments_and_byte_limit(server, client, tmp_path):
    image = photo(tmp_path / "p.png", 64)
    bad_args = client.post("/tools/sketchify", data={"args": "{not json"},
                           files={"image": ("p.png", image.read_bytes())})
    assert bad_args.status_code == 422 and bad_args.json()["code"] == "BAD_ARGUMENT"
    out_of_range = post_tool(client, "sketchify", {"image": image}, {"shading": 7})
    assert out_of_range.status_code == 422 and out_of_range.json()["result"]["error"]["code"] == "BAD_ARGUMENT"
    big = tmp_path / "big.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (1000, 1000, 3), np.uint8)).save(big)
    assert big.stat().st_size > MAX_BYTES
    too_large = post_tool(client, "sketchify", {"image": big}, {})
    body = too_large.json()
    assert too_large.status_code == 413 and body["code"] == "IMAGE_TOO_LARGE"
    assert client.get(f"/runs/{body['run_id']}").json()["error"]["code"] == "IMAGE_TOO_LARGE"


def test_twenty_concurrent_requests_all_succeed_and_are_recorded(server, client, tmp_path):
    image = photo(tmp_path / "p.png", 96)

    def one(seed: int) -> httpx.Response:
        with httpx.Client(base_url=server["base"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=180) as c:
            return post_tool(c, "sketchify", {"image": image}, {"seed": seed})

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(one, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    ids = {r.json()["run_id"] for r in responses}
    assert len(ids) == 20
    for run_id in ids:
        record = client.get(f"/runs/{run_id}").json()
        assert record["ok"] and record["tool"] == "sketchify"
    listed = {r["run_id"] for r in client.get("/runs", params={"limit": 1000}).json()}
    assert ids <= listed
    deleted = client.delete(f"/runs/{ids.pop()}")
    assert deleted.status_code == 200 and client.get(f"/runs/{deleted.json()['deleted']}").status_code == 404


def events(client: httpx.Client, job_id: str) -> list[dict]:
    from atelier.agent.remote import parse_sse

    with client.stream("GET", f"/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(parse_sse(response.iter_lines()))


def test_job_progress_arrives_in_order_as_server_sent_events(server, client, tmp_path):
    folder = tmp_path / "punks"
    folder.mkdir()
    for i in range(6):
        punk(folder / f"p{i}.png")
    job = client.post("/jobs", json={"tool": "describe_punk", "input": str(folder),
                                     "jsonl": str(tmp_path / "out.jsonl")})
    assert job.status_code == 202
    seen = events(client, job.json()["job_id"])
    assert [e["seq"] for e in seen] == list(range(len(seen)))
    assert seen[0]["event"] == "started" and seen[-1]["event"] == "done"
    assert [e["done"] for e in seen if e["event"] == "progress"] == list(range(1, 7))
    assert seen[-1]["result"]["ok"] == 6
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 6
    turn = client.post("/ask", data={"request": "make it a pencil sketch", "background": "true"},
                       files=[("images", ("p.png", photo(tmp_path / "p.png", 96).read_bytes()))])
    assert turn.status_code == 202
    steps = events(client, turn.json()["job_id"])
    assert [e["seq"] for e in steps] == list(range(len(steps)))
    percents = [e["percent"] for e in steps if e["event"] == "progress"]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert steps[-1]["event"] == "done" and steps[-1]["result"]["results"][0]["ok"]


def test_openapi_lists_every_tool(server, client):
    spec = client.get("/openapi.json").json()
    for name in tool_names():
        operation = spec["paths"][f"/tools/{name}"]["post"]
        assert "x-atelier-args-schema" in operation
    for path in ("/health", "/tools", "/plan", "/ask", "/runs", "/runs/{run_id}", "/jobs", "/jobs/{job_id}/events"):
        assert path in spec["paths"]
    assert client.get("/docs").status_code == 200
    listed = client.get("/tools").json()
    assert [t["name"] for t in listed] == tool_names()
    assert all("properties" in t["args_schema"] and t["backends"] for t in listed)


def run_cli(args: list[str], env: dict) -> tuple[int, dict]:
    proc = subprocess.run([ATELIER, *args], env=env, capture_output=True, text=True, timeout=180)
    return proc.returncode, json.loads(proc.stdout)


def test_cli_against_the_server_prints_the_same_json_as_local(server, tmp_path):
    image = photo(tmp_path / "p.png", 128)
    local_env = {**os.environ, "ATELIER_HOME": str(tmp_path / "local-home"), "HF_HUB_OFFLINE": "1"}
    local_env.pop("ATELIER_SERVER", None)
    remote_env = {**local_env, "ATELIER_SERVER": server["base"], "ATELIER_TOKEN": TOKEN}
    commands = [
        ["tool", "sketchify", "--image", str(image), "--set", "seed=3", "--json"],
        ["tool", "sketchify", "--image", str(tmp_path / "missing.png"), "--json"],
        ["plan", "make it a pencil sketch", "--image", str(image), "--json"],
        ["ask", "make it a pencil sketch", "--image", str(image), "--json"],
    ]
    for command in commands:
        local_rc, local = run_cli(command, local_env)
        remote_rc, remote = run_cli(command, remote_env)
        assert remote_rc == local_rc, command
        if command[0] == "tool":
            assert comparable(remote) == comparable(local)
            assert set(remote["artifacts"]) == set(local["artifacts"])
            if remote["ok"]:
                assert remote["host"] == socket.gethostname()
        elif command[0] == "plan":
            assert remote == local
        else:
            assert remote["plan"] == local["plan"] and remote["host"] == socket.gethostname()
            assert [comparable(s["result"]) for s in remote["results"]] == \
                [comparable(s["result"]) for s in local["results"]]
    out = tmp_path / "out"
    rc, downloaded = run_cli(["tool", "sketchify", "--image", str(image), "--out", str(out), "--json"], remote_env)
    assert rc == 0 and Path(downloaded["artifacts"]["image"]).parent == out.resolve()


def test_the_chat_drives_a_server(server, monkeypatch, tmp_path):
    """A laptop chat with ATELIER_SERVER set: the turn runs on the server, the card shows here."""
    from streamlit.testing.v1 import AppTest

    from atelier.ui.state import agent

    monkeypatch.setenv("ATELIER_SERVER", server["base"])
    monkeypatch.setenv("ATELIER_TOKEN", TOKEN)
    agent.clear()
    try:
        at = AppTest.from_file(str(Path(__file__).parent.parent / "ui" / "app.py"), default_timeout=120)
        at.run()
        at.session_state["attachments_next"] = [str(photo(tmp_path / "p.png"))]
        at.chat_input[0].set_value("make it a pencil sketch").run()
        assert not at.exception, at.exception
        reply = at.session_state["messages"][-1]["reply"]
        result = reply["results"][0]["result"]
        assert result["ok"] and Path(result["artifacts"]["image"]).is_file()  # downloaded from the server
        assert str(server["home"]) not in result["artifacts"]["image"]
        assert "Pencil sketch" in " ".join(m.value for m in at.markdown)
    finally:
        agent.clear()


def test_a_remote_chat_has_its_threads_history_reruns_and_undo(server, monkeypatch, tmp_path):
    """RemoteSession's conversation side against the real server: the sidebar's list and names, the tree of
    results, a re-run with a changed argument as a new branch, undo, going back, and forgetting a thread."""
    from atelier.agent.remote import RemoteError, RemoteSession

    monkeypatch.setenv("ATELIER_SERVER", server["base"])
    monkeypatch.setenv("ATELIER_TOKEN", TOKEN)
    remote = RemoteSession()
    reply = remote.ask("make it a pencil sketch", [photo(tmp_path / "p.png")])
    thread = reply.thread_id
    assert dict(remote.threads())[thread].startswith("make it a pencil sketch")  # other tests' turns: " (2)"…
    [first] = remote.nodes(thread)
    assert first["tool"] == "sketchify" and remote.current(thread) == first["id"]
    assert Path(first["image"]).is_file() and str(server["home"]) not in first["image"]  # a downloaded copy

    again = remote.rerun(thread, first["id"], {"shading": 0.9})
    step = again["results"][0]["result"]
    assert step["ok"] and again["plan"]["steps"][0]["args"]["shading"] == 0.9
    nodes = remote.nodes(thread)
    assert len(nodes) == 2 and remote.current(thread) == nodes[1]["id"] != first["id"]
    assert nodes[1]["parent"] == first.get("parent")  # a sibling branch of the first result
    darker = np.asarray(Image.open(nodes[1]["image"]).convert("L"), np.float32).mean()
    assert darker < np.asarray(Image.open(first["image"]).convert("L"), np.float32).mean()  # more tone drawn

    remote.goto(thread, first["id"])
    assert [n["id"] for n in remote.path(thread)] == [first["id"]]
    remote.undo(thread)
    assert remote.current(thread) is None and remote.path(thread) == []
    with pytest.raises(RemoteError) as err:
        remote.undo(thread)
    assert err.value.code == "BAD_ARGUMENT"
    with pytest.raises(RemoteError):
        remote.goto(thread, "no-such-result")
    assert [h["request"] for h in remote.history(thread)][0] == "make it a pencil sketch"
    assert len(remote.history(thread)) == 4  # the turn, the re-run, the goto, the undo

    remote.rename(thread, "  Astronaut   sketches ")
    assert dict(remote.threads())[thread] == "Astronaut sketches"
    with httpx.Client(base_url=server["base"], headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        assert c.post(f"/threads/{thread}/adopt", json={"node_id": first["id"],
                                                        "image": "/etc/passwd"}).status_code == 422
        assert c.post(f"/threads/{thread}/adopt", json={"node_id": first["id"], "image": f"{server['base']}/runs/"
                                                        "../../etc/passwd/artifacts/x"}).status_code == 422
    run_ids = [s["result"]["run_id"] for s in (reply.results + again["results"])]
    assert remote.delete_thread(thread) == 2
    assert thread not in dict(remote.threads()) and remote.nodes(thread) == []
    with httpx.Client(base_url=server["base"], headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        assert all(c.get(f"/runs/{run_id}").status_code == 404 for run_id in run_ids)
        assert c.get("/threads").status_code == 200
        for method, url, body in (("POST", f"/threads/{thread}/goto", {"node_id": None}),
                                  ("PATCH", "/threads/ghost", {"title": "x"}), ("GET", "/threads/ghost", None)):
            assert c.request(method, url, json=body).status_code == 404  # no conversation is made up
        assert "ghost" not in [t["thread_id"] for t in c.get("/threads").json()]
        assert c.get("/threads/..").status_code in (404, 422) and c.post("/threads/a b/undo").status_code == 422
        assert httpx.get(f"{server['base']}/threads").status_code == 401  # no token


def test_conversation_locks_do_not_pile_up_and_downloads_stay_in_their_folder(tmp_path, settings):
    """Made-up conversation ids leave no lock behind; a server string that points outside the remote folder
    (or is just a request's words starting with the server's address) is never downloaded."""
    from concurrent.futures import ThreadPoolExecutor

    from atelier.agent.remote import localize
    from atelier.agent.server import Atelier

    state = Atelier(settings)

    def hold(thread_id: str) -> None:
        with state.thread_lock(thread_id):
            time.sleep(0.001)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(hold, [f"ghost-{i % 50}" for i in range(500)]))
    assert state._thread_locks == {}

    class Recorder:  # stands in for the HTTP client: only where a download would be written matters here
        base = "http://srv:1"
        written: list[Path] = []

        def download(self, url, dest):
            self.written.append(Path(dest).resolve())
            return dest

    client, folder = Recorder(), tmp_path / "remote" / "srv_1"
    good = "http://srv:1/runs/20261201-155603-sketchify-835c17/artifacts/image.png"
    out = localize({"image": good, "evil": "http://srv:1/runs/../../../../tmp/evil.txt",
                    "words": "http://srv:1/ is where I run it"}, client, folder)
    assert out["evil"].endswith("evil.txt") and out["words"].startswith("http://srv:1/")  # left as they were
    assert client.written == [(folder / "runs/20261201-155603-sketchify-835c17/image.png").resolve()]
