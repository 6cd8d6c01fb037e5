"""ShadingNet: a VGG19-style encoder-decoder with skip connections that predicts a shading tone image.

The encoder repeats VGG19's pattern (3x3 conv + ReLU blocks, max-pool between them); the decoder
upsamples, concatenates the encoder feature of the same scale, and convolves. A checkpoint is
``{"arch": "shadingnet", "config": {...}, "state_dict": {...}}``; a bare state dict is read with the
full-size default config.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

VGG19_WIDTHS = (64, 128, 256, 512)
VGG19_DEPTHS = (2, 2, 4, 4)


@dataclass(frozen=True)
class ShadingNetConfig:
    widths: tuple[int, ...] = VGG19_WIDTHS
    depths: tuple[int, ...] = VGG19_DEPTHS
    in_channels: int = 1

    @classmethod
    def from_dict(cls, data: dict) -> ShadingNetConfig:
        return cls(widths=tuple(data.get("widths", VGG19_WIDTHS)), depths=tuple(data.get("depths", VGG19_DEPTHS)),
                   in_channels=int(data.get("in_channels", 1)))


def _convs(cin: int, cout: int, n: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(n):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class ShadingNet(nn.Module):
    def __init__(self, config: ShadingNetConfig = ShadingNetConfig()):
        super().__init__()
        if len(config.widths) != len(config.depths):
            raise ValueError("widths and depths must have the same length")
        self.config = config
        self.encoder = nn.ModuleList()
        cin = config.in_channels
        for width, depth in zip(config.widths, config.depths, strict=True):
            self.encoder.append(_convs(cin, width, depth))
            cin = width
        self.pool = nn.MaxPool2d(2)
        self.decoder = nn.ModuleList()
        widths = config.widths
        for level in range(len(widths) - 1, 0, -1):
            self.decoder.append(_convs(widths[level] + widths[level - 1], widths[level - 1], 2))
        self.head = nn.Conv2d(widths[0], 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (N, 1, H, W) in [0, 1], H and W divisible by 2**(levels-1); returns tone in [0, 1]."""
        skips = []
        for i, block in enumerate(self.encoder):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        for block, skip in zip(self.decoder, reversed(skips[:-1]), strict=True):
            x = nn.functional.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return torch.sigmoid(self.head(x))


def save_checkpoint(net: ShadingNet, path) -> None:
    cfg = asdict(net.config)
    torch.save({"arch": "shadingnet", "config": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
                "state_dict": net.state_dict()}, path)


def load_checkpoint(path) -> ShadingNet:
    data = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(data, dict) and "state_dict" in data:
        if data.get("arch", "shadingnet") != "shadingnet":
            raise ValueError(f"{path}: not a ShadingNet checkpoint (arch={data.get('arch')!r})")
        config, state = ShadingNetConfig.from_dict(data.get("config", {})), data["state_dict"]
    else:
        config, state = ShadingNetConfig(), data
    net = ShadingNet(config)
    net.load_state_dict(state)
    return net.eval()
