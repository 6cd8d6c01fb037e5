"""The eye-patch models: the CNN's numpy inference equals its torch twin, both models' training is seeded and
learns a known split, the patch is cut where the eye is, and the shipped models with the landmark score read
a real open eye as open and a synthetic blink of it as closed."""

from __future__ import annotations

import numpy as np
import pytest
from eye_fixtures import synthetic_eyes


def test_numpy_forward_matches_the_torch_twin():
    import torch

    from atelier.tools.eyes.patch import forward
    from atelier.tools.eyes.patch_train import build_net

    torch.manual_seed(3)
    net = build_net(width=4)
    weights = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    x = np.random.default_rng(0).normal(size=(5, 24, 24)).astype(np.float32)
    with torch.no_grad():
        want = net(torch.tensor(x)[:, None]).numpy()
    assert np.allclose(forward(x, weights), want, atol=1e-5)


def test_training_is_seeded_and_separates_synthetic_open_and_closed_eyes():
    from atelier.tools.eyes.patch import forward, normalise
    from atelier.tools.eyes.patch_train import train_cnn

    x, y = synthetic_eyes(512, seed=1)
    a = train_cnn(x, y, seed=0, epochs=12, width=4)
    b = train_cnn(x, y, seed=0, epochs=12, width=4)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    test_x, test_y = synthetic_eyes(80, seed=2)
    assert ((forward(normalise(test_x), a) > 0) == test_y).mean() >= 0.95


def test_mirror_mean_reads_a_patch_and_its_mirror_the_same_and_flip_training_still_learns():
    from atelier.tools.eyes.patch import forward, normalise
    from atelier.tools.eyes.patch_train import mirror_mean, train_cnn

    x, y = synthetic_eyes(512, seed=1)
    plain = train_cnn(x, y, seed=0, epochs=12, width=4, flip=False, photometric=False)
    flipped = train_cnn(x, y, seed=0, epochs=12, width=4, flip=True, photometric=False)
    assert not np.array_equal(plain["c1.weight"], flipped["c1.weight"])
    test_x, test_y = synthetic_eyes(80, seed=2)
    read = lambda p: forward(normalise(p), flipped)  # noqa: E731
    assert np.allclose(mirror_mean(read, test_x), mirror_mean(read, test_x[:, :, ::-1]), atol=1e-5)
    assert not np.allclose(read(test_x), read(np.ascontiguousarray(test_x[:, :, ::-1])), atol=1e-3)
    assert ((mirror_mean(read, test_x) > 0) == test_y).mean() >= 0.95


def test_the_hog_model_separates_synthetic_open_and_closed_eyes():
    from atelier.tools.eyes.patch import hog_features, hog_logits
    from atelier.tools.eyes.patch_train import train_hog

    x, y = synthetic_eyes(200, seed=1)
    weights = train_hog(x, y)
    test_x, test_y = synthetic_eyes(80, seed=2)
    assert ((hog_logits(hog_features(test_x), weights) > 0) == test_y).mean() >= 0.95


def test_the_patch_is_centred_on_the_eye_and_mirrored_for_the_right_eye():
    from atelier.tools.eyes.patch import eye_patch

    gray = np.zeros((100, 100), np.uint8)
    gray[48:53, 58:63] = 255  # a bright dot at (60, 50) + DOWN
    corners = np.array([[50.0, 49.0], [70.0, 49.0]])  # width 20, midpoint (60, 49): centre (60, 50)
    patch = eye_patch(gray, corners)
    ys, xs = np.nonzero(patch > 100)
    assert abs(xs.mean() - 11.5) < 1.0 and abs(ys.mean() - 11.5) < 1.0
    gray[:, :] = 0
    gray[45:55, 52:56] = 255  # left of the centre
    assert eye_patch(gray, corners)[:, :12].sum() > eye_patch(gray, corners)[:, 12:].sum()
    assert eye_patch(gray, corners, mirror=True)[:, 12:].sum() > eye_patch(gray, corners, mirror=True)[:, :12].sum()


@pytest.fixture(scope="module")
def face(astronaut):
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker

    return MediaPipeLandmarker().detect(astronaut)[0]


def test_shipped_model_reads_real_open_eyes_open_and_a_synthetic_blink_closed(astronaut, face):
    from atelier.tools.eyes.measure import face_record
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    record = face_record(face, 0, image=astronaut)
    assert record["closed_eyes"] == []
    assert all(v < 0 for s in ("right", "left") for v in record[f"{s}_eye"]["look_logits"].values())
    shut = close_eye(close_eye(astronaut, face, "right"), face, "left")
    again = MediaPipeLandmarker().detect(shut)[0]
    record = face_record(again, 0, image=shut)
    assert sorted(record["closed_eyes"]) == ["left", "right"]
    assert all(record[f"{s}_eye"]["closed_probability"] > 0.5 for s in ("right", "left"))


def test_a_lower_threshold_calls_fewer_eyes_closed(face):
    from atelier.tools.eyes.measure import closed_probability

    score = 0.02
    look = (0.0, 0.0)
    assert closed_probability(score, look, threshold=0.015) < closed_probability(score, look, threshold=0.03)
    assert closed_probability(score, (3.0, 3.0)) > closed_probability(score, (-3.0, -3.0))


def test_an_unsure_eye_takes_the_mean_with_its_partner_and_a_clear_wink_is_kept():
    from atelier.tools.eyes.measure import settle_unsure

    assert settle_unsure((0.3, -5.0), margin=0.5) == pytest.approx((-2.35, -5.0))
    assert settle_unsure((-0.2, 0.4), margin=0.5) == pytest.approx((0.1, 0.1))
    assert settle_unsure((4.0, -4.0), margin=0.5) == (4.0, -4.0)  # a wink, both sure
    assert settle_unsure((0.3, -5.0), margin=0.0) == (0.3, -5.0)


def test_a_synthetic_wink_on_the_astronaut_reads_as_one_closed_eye(astronaut, face):
    from atelier.tools.eyes.measure import face_record
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    for side, other in (("right", "left"), ("left", "right")):
        wink = close_eye(astronaut, face, side)
        record = face_record(MediaPipeLandmarker().detect(wink)[0], 0, image=wink)
        assert record["closed_eyes"] == [side]
        assert record[f"{other}_eye"]["closed_probability"] < 0.5


def test_the_shipped_weights_hold_the_round_five_cnn_and_the_equalised_hog_model():
    from atelier.tools.eyes.patch import HOG_STYLE, WEIGHTS, load_weights, style_of

    w = load_weights()
    assert w["c1.weight"].shape == (24, 1, 3, 3) and w["c2.weight"].shape == (48, 24, 3, 3)
    assert w["c3.weight"].shape == (96, 48, 3, 3) and w["fc.weight"].shape == (1, 96)
    assert sum(v.size for k, v in w.items() if k[:2] in ("c1", "c2", "c3", "fc")) == 52_321
    assert style_of(w) == HOG_STYLE and w["hog.coef"].shape == (1044,) and w["combine"].shape == (4,)
    assert WEIGHTS.stat().st_size < 2 * 2**20


def test_the_shipped_cnn_alone_reads_real_open_eyes_open_and_their_synthetic_blink_closed(astronaut, face):
    from atelier.tools.eyes.measure import grey
    from atelier.tools.eyes.patch import eye_patch, forward, load_weights, normalise
    from atelier.tools.faces.mediapipe_backend import MediaPipeLandmarker
    from atelier.tools.faces.synth import close_eye

    def cnn(rgb, f):
        gray = grey(rgb)
        patches = np.stack([eye_patch(gray, f.corners(s), mirror=s == "right") for s in ("right", "left")])
        return forward(normalise(patches), load_weights())

    assert (cnn(astronaut, face) < -1).all()
    shut = close_eye(close_eye(astronaut, face, "right"), face, "left")
    assert (cnn(shut, MediaPipeLandmarker().detect(shut)[0]) > 1).all()
