"""The CodeFormer restorer: our implementation of the published architecture (``codeformer_arch.py``) with
weights from ``ATELIER_MODELS/codeformer/*.pth`` (the official release's ``params_ema`` state dict).

Each face is aligned to a 512×512 upright crop (eyes level, as in FFHQ), restored with fidelity weight ``w``
and warped back; the caller pastes it through the feathered face mask. CodeFormer's licence (S-Lab,
non-commercial) applies to the weights; the user adds them.
"""

from __future__ import annotations

import numpy as np

from atelier.core.config import Settings
from atelier.core.errors import ErrorCode, ToolError
from atelier.tools.faces.face import Face

NAME = "codeformer"
FACE_SIZE = 512
EYE_ROW = 240.0 / 512  # the FFHQ 512 template CodeFormer was trained on: eyes at (193, 240) and (319, 240)
IOD_AT_512 = 126.0


def load(settings: Settings, path: str | None):
    """The CodeFormer network from the weights at ``path``, placed on the best device (loaded once per path)."""
    import torch

    from atelier.core.diffusion import placement

    from .codeformer_arch import load_checkpoint

    place = placement()
    try:
        net = load_checkpoint(torch.load(path, map_location="cpu", weights_only=True))
    except Exception as exc:  # a wrong or damaged file: say which and why, never run half-loaded
        raise ToolError(ErrorCode.BACKEND_UNAVAILABLE, f"could not load CodeFormer weights from {path}: "
                        f"{type(exc).__name__}: {str(exc)[:300]}") from None
    return net.to(place.device), place.device


class CodeFormerRestorer:
    name = NAME

    def __init__(self, network, fidelity: float = 0.7):
        self.network = network
        self.fidelity = fidelity

    def restore(self, crop: np.ndarray, face: Face) -> np.ndarray:
        import cv2
        import torch

        from atelier.tools.faces.geometry import Alignment, align_eyes, eye_centre

        net, device = self.network
        size = net.size  # 512 for the released model
        base = align_eyes(eye_centre(face.right_eye), eye_centre(face.left_eye), size=size, eye_row=EYE_ROW)
        scale = IOD_AT_512 * size / FACE_SIZE / 256.0  # align_eyes puts the eyes 256 px apart
        centre = np.array([size / 2, size * EYE_ROW])
        matrix = base.matrix.copy()
        matrix[:, :2] *= scale
        matrix[:, 2] = (matrix[:, 2] - centre) * scale + centre
        align = Alignment(matrix=matrix, size=size)
        face_in = cv2.warpAffine(crop, align.matrix, (size, size), flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_REFLECT)
        x = torch.from_numpy(face_in).permute(2, 0, 1)[None].float().div(127.5).sub(1.0).to(device)
        with torch.inference_mode():
            y = net(x, w=self.fidelity)[0]
        out = ((y.clamp(-1, 1) + 1) * 127.5).round().byte()[0].permute(1, 2, 0).cpu().numpy()
        from atelier.tools.faces.geometry import warp_to_image

        return warp_to_image(out, align, crop.shape[:2])
