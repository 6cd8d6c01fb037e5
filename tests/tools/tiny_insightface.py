"""Tiny ONNX stand-ins for InsightFace's buffalo_l detector (SCRFD, 9 outputs) and 106-point landmark model,
built with ``onnx.helper`` so insightface's own loading, routing, detection decoding and landmark
back-projection run in CI. Their answers are constants chosen by the test, so the results are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np

STRIDES = (8, 16, 32)


def _model(name: str, input_shape: list[int], outputs: dict[str, np.ndarray], path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [helper.make_node("ReduceMean", ["input.1"], ["m"], keepdims=0),
             helper.make_node("Mul", ["m", "zero"], ["z"])]
    inits = [numpy_helper.from_array(np.zeros((), np.float32), "zero")]
    outs = []
    for out_name, value in outputs.items():
        inits.append(numpy_helper.from_array(value.astype(np.float32), f"{out_name}_c"))
        nodes.append(helper.make_node("Add", [f"{out_name}_c", "z"], [out_name]))  # depends on the input
        outs.append(helper.make_tensor_value_info(out_name, TensorProto.FLOAT, list(value.shape)))
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, input_shape)],
                              outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))


def write_tiny_buffalo(folder: Path, box: tuple[float, float, float, float], landmarks: np.ndarray,
                       det_size: int = 640) -> None:
    """A detector that finds one face at ``box`` (in the 640×640 detection input) and a landmark model whose
    106 points are ``landmarks`` in its normalised crop coordinates ([-1, 1])."""
    folder.mkdir(parents=True, exist_ok=True)
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    scores, boxes, kps = {}, {}, {}
    for stride in STRIDES:
        n = (det_size // stride) ** 2 * 2
        scores[stride], boxes[stride], kps[stride] = np.zeros((n, 1)), np.ones((n, 4)), np.zeros((n, 10))
    stride = 32
    gx, gy = int(cx // stride), int(cy // stride)
    i = (gy * (det_size // stride) + gx) * 2
    ax, ay = gx * stride, gy * stride
    scores[stride][i] = 0.9
    boxes[stride][i] = [(ax - x0) / stride, (ay - y0) / stride, (x1 - ax) / stride, (y1 - ay) / stride]
    outputs = {**{f"score_{s}": scores[s] for s in STRIDES}, **{f"bbox_{s}": boxes[s] for s in STRIDES},
               **{f"kps_{s}": kps[s] for s in STRIDES}}
    _model("det", [1, 3, det_size, det_size], outputs, folder / "det_10g.onnx")
    _model("lmk", [1, 3, 192, 192], {"fc1": landmarks.reshape(1, 212)}, folder / "2d106det.onnx")


def face_layout(open_a: float, open_b: float) -> np.ndarray:
    """106 normalised points: an outline, a mouth below, and the two seed eye hexagons with the given
    openings (height over width) — eye A on the image's left, eye B on its right."""
    pts = np.zeros((106, 2))
    t = np.linspace(-0.9 * np.pi, -0.1 * np.pi, 33)
    pts[:33] = np.c_[0.6 * np.cos(t), -0.7 * np.sin(t)]
    pts[52:72] = np.c_[0.2 * np.cos(np.linspace(0, 2 * np.pi, 20)), 0.45 + 0.05 * np.sin(np.linspace(0, 2 * np.pi, 20))]
    pts[72:106] = [0.0, 0.1]
    pts[33:43] = [-0.3, -0.1]
    pts[87:97] = [0.3, -0.1]

    def hexagon(cx: float, opening: float) -> np.ndarray:
        w = 0.3
        h = opening * w
        return np.array([[cx - w / 2, -0.1], [cx - w / 4, -0.1 - h / 2], [cx + w / 4, -0.1 - h / 2],
                         [cx + w / 2, -0.1], [cx + w / 4, -0.1 + h / 2], [cx - w / 4, -0.1 + h / 2]])

    pts[[39, 33, 36, 41, 40, 42]] = hexagon(-0.3, open_a)
    pts[[89, 90, 91, 96, 94, 95]] = hexagon(0.3, open_b)
    return pts
