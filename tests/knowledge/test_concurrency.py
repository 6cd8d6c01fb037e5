"""Two processes record 200 runs each at the same time and both index them: all 400 are there."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from PIL import Image

WORKER = """
import sys
from atelier.runs.invoke import call_tool
from atelier.knowledge.run_index import sync
from atelier.runs.store import RunStore
from atelier.knowledge.store import Store
from atelier.core.config import load_settings

image, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    r = call_tool("sketchify", {"image": image}, {"seed": i, "grain": 0.1})
    assert r.ok, r.error
settings = load_settings()
print(sync(Store(settings.home), RunStore(settings.home)))
"""


def test_two_writers_lose_nothing(atelier_home, tmp_path):
    from atelier.knowledge.run_index import indexed_tools
    from atelier.knowledge.store import Store
    from atelier.runs.store import RunStore

    rng = np.random.default_rng(0)
    paths = []
    for k in range(2):
        img = np.full((32, 32, 3), 230, np.uint8)
        img[8:24, 8:24] = rng.integers(0, 120, 3)
        paths.append(tmp_path / f"p{k}.png")
        Image.fromarray(img).save(paths[-1])
    env = {**os.environ, "ATELIER_HOME": str(atelier_home)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(p), "200"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for p in paths]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    runs = RunStore(atelier_home)
    assert len(runs.ok_ids(indexed_tools())) == 400 and len(runs.list(limit=1000)) == 400
    store = Store(atelier_home)
    assert store.ids("runs_text") == set(runs.ok_ids(indexed_tools()))
    assert store.count("runs_image") == 400
    assert sum(int(o[0].strip().splitlines()[-1]) for o in outs) >= 400  # between them they indexed all 400
