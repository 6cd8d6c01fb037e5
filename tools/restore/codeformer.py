"""The CodeFormer restorer: our implementation of the published architecture (``codeformer_arch.py``) with
weights from ``ATELIER_MODELS/codeformer/*.pth`` (the official release's ``params_ema`` state dict).

Each face is aligned to a 512×512 upright crop (eyes level, as in FFHQ), restored with fidelity weight ``w``
and warped back; the caller pastes it through the feathered face mask. CodeFormer's licence (S-Lab,
non-commercial) applies to the weights; the user adds them.
"""

from __future__ import annotations

import functools

import numpy as np

from atelier.tools.core.config import Settings
from atelier.tools.core.models import find_model, missing_reason
from atelier.tools.core.registry import BackendStatus
from atelier.tools.faces.landmarks import Face

NAME = "codeformer"
FACE_SIZE = 512
IOD_AT_512 = 0.34 * FACE_SIZE  # FFHQ crops put the eyes about a third of the width apart, at 0.42 height


def status(settings: Settings, tool: str = "restore_face", default: bool = False) -> BackendStatus:
    path = find_model(settings, "codeformer")
    if path is None:
        return BackendStatus(tool, "restore", NAME, False, default, None, missing_reason(settings, "codeformer"))
    return BackendStatus(tool, "restore", NAME, True, default, str(path),
                         "CodeFormer (weights under the S-Lab non-commercial licence)")


@functools.lru_cache(maxsize=2)
def _network(path: str):
    import torch

    from atelier.tools.core.diffusion import placement

    from .codeformer_arch import CodeFormer, config_from_state

    state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("params_ema", state.get("params", state))
    net = CodeFormer(**config_from_state(state))
    net.load_state_dict(state, strict=True)
    place = placement()
    return net.eval().to(place.device), place.device


class CodeFormerRestorer:
    name = NAME

    def __init__(self, settings: Settings, fidelity: float = 0.7):
        self.path = str(find_model(settings, "codeformer"))
        self.fidelity = fidelity

    def restore(self, crop: np.ndarray, face: Face) -> np.ndarray:
        import cv2
        import torch

        from atelier.tools.faces.geometry import Alignment, align_eyes, eye_centre

        net, device = _network(self.path)
        base = align_eyes(eye_centre(face.right_eye), eye_centre(face.left_eye), size=FACE_SIZE, eye_row=0.42)
        scale = IOD_AT_512 / 256.0  # align_eyes puts the eyes 256 px apart; FFHQ wants IOD_AT_512
        matrix = base.matrix.copy()
        matrix[:, :2] *= scale
        matrix[:, 2] = (matrix[:, 2] - [FACE_SIZE / 2, FACE_SIZE * 0.42]) * scale + [FACE_SIZE / 2, FACE_SIZE * 0.42]
        align = Alignment(matrix=matrix, size=FACE_SIZE)
        face_in = cv2.warpAffine(crop, align.matrix, (FACE_SIZE, FACE_SIZE), flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_REFLECT)
        x = torch.from_numpy(face_in).permute(2, 0, 1)[None].float().div(127.5).sub(1.0).to(device)
        with torch.inference_mode():
            y = net(x, w=self.fidelity)[0]
        out = ((y.clamp(-1, 1) + 1) * 127.5).round().byte()[0].permute(1, 2, 0).cpu().numpy()
        from atelier.tools.faces.geometry import warp_to_image

        return warp_to_image(out, align, crop.shape[:2])
