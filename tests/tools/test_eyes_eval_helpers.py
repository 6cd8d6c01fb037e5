"""Helpers of the eyes evals that decide what is measured: the centre square cut from a one-eye photo (the
cross-source set) and the list of photos whose label a look found plainly wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

EVALS = Path(__file__).resolve().parents[2] / "evals" / "eyes"
sys.path.insert(0, str(EVALS))


def test_centre_square_patch_keeps_the_centre_of_a_wide_photo():
    from cross_source import centre_square_patch

    gray = np.zeros((300, 420), np.uint8)
    gray[140:160, 200:220] = 255  # a bright square at the photo's centre
    gray[:, :60] = 255  # a bright band outside the centre square (side 300, from x = 60)
    patch = centre_square_patch(gray)
    assert patch.shape == (24, 24)
    ys, xs = np.nonzero(patch > 50)
    assert abs(xs.mean() - 11.5) < 0.6 and abs(ys.mean() - 11.5) < 0.6
    assert patch[:, 0].max() < 50


def test_the_label_review_names_photos_and_ignores_comments(tmp_path):
    from detect_patch import reviewed_wrong

    listing = tmp_path / "review.txt"
    listing.write_text("# header\nface_1   open   # shut\n\n  face_2 open\n# face_3 open\n")
    assert reviewed_wrong(listing) == {"face_1", "face_2"}
    assert reviewed_wrong() == {"face_1093", "face_3325"}
