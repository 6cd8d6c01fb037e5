"""Low poly (and cubism's fractured planes): a Delaunay triangulation of points placed densely on edges,
every triangle filled flat with the colour at its centroid, lit a little per facet."""

from __future__ import annotations

import cv2
import numpy as np

from .common import gradient_map, luminance, multiply_ink, side_scale, stretch, strokes, to_float, to_uint8


def sample_points(lum: np.ndarray, n: int, edge_share: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` points: a share drawn where the gradient is strong, the rest uniform, plus the corners."""
    h, w = lum.shape
    mag = np.abs(cv2.Sobel(lum, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(lum, cv2.CV_32F, 0, 1))
    p = mag.ravel() + 1e-6
    k_edge = int(n * edge_share)
    idx = rng.choice(p.size, size=k_edge, replace=False, p=p / p.sum())
    edge_pts = np.stack([idx % w, idx // w], 1).astype(np.float32)
    uniform = rng.uniform([0, 0], [w - 1, h - 1], (n - k_edge, 2)).astype(np.float32)
    border = [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]]
    for t in np.linspace(0, 1, 9)[1:-1]:
        border += [[t * (w - 1), 0], [t * (w - 1), h - 1], [0, t * (h - 1)], [w - 1, t * (h - 1)]]
    return np.concatenate([edge_pts, uniform, np.array(border, np.float32)])


def render(rgb: np.ndarray, palette: np.ndarray, seed: int = 0, line_art: bool = False, points: int = 450,
           edge_share: float = 0.6, tint: float = 0.2, shading: float = 0.08, outline: float = 0.0) -> np.ndarray:
    """Facet ``rgb`` (uint8) into flat triangles.

    Parameters
    ----------
    points : number of vertices at 512 px (scaled with the image area's square root).
    edge_share : share of vertices placed on edges.
    tint : pull of the facet colours towards the palette.
    shading : random per-facet brightness change (the faceted 3-D look).
    outline : opacity of dark facet outlines (cubist planes).
    """
    from scipy.spatial import Delaunay

    s = side_scale(rgb.shape)
    rng = np.random.default_rng(seed)
    img = to_float(rgb)
    if line_art:  # the drawing's shading (its hatching averaged into areas) on the palette's ramp
        tone = stretch(cv2.GaussianBlur(1.0 - strokes(rgb), (0, 0), 5 * s), 2, 98)
        img = gradient_map(0.1 + 0.85 * tone, palette)
    blurred = cv2.GaussianBlur(img, (0, 0), 2 * s)
    lum = luminance(blurred)
    pts = sample_points(lum, max(16, int(points * s)), edge_share, rng)
    tri = Delaunay(pts).simplices
    corners = pts[tri]
    centroid = corners.mean(1)
    h, w = lum.shape
    cy = np.clip(centroid[:, 1].astype(int), 0, h - 1)
    cx = np.clip(centroid[:, 0].astype(int), 0, w - 1)
    cols = blurred[cy, cx]
    cols = cols * (1 - tint) + gradient_map(luminance(cols[None])[0], palette) * tint
    cols = np.clip(cols * (1 + shading * rng.standard_normal((len(tri), 1))), 0, 1)
    out = np.zeros((h, w, 3), np.uint8)
    colours = (cols * 255 + 0.5).astype(np.uint8)
    for corner, c in zip(np.round(corners).astype(np.int32), colours, strict=True):
        cv2.fillConvexPoly(out, corner, (int(c[0]), int(c[1]), int(c[2])), cv2.LINE_8)
    if outline > 0:
        lines = np.zeros((h, w), np.uint8)
        cv2.polylines(lines, list(np.round(corners).astype(np.int32)), True, 255, max(1, int(s)))
        out = to_uint8(multiply_ink(to_float(out), lines / 255.0, palette[0] * 0.4, outline))
    return out
