"""CodeFormer (Zhou et al., NeurIPS 2022), written from the paper and the published layout so that the
official ``codeformer.pth`` state dict loads into it key for key.

A VQGAN encoder maps the 512×512 face to a 16×16 latent; a transformer predicts, for each latent cell, a code
of the learned face codebook; the VQGAN generator decodes the looked-up codes, and controllable feature
transformation blocks mix encoder features back in with weight ``w`` (0 = most restored, 1 = most faithful).
Sizes are parameters so tests can build a tiny random one; the defaults are the published model's.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(num_groups=min(32, channels), num_channels=channels, eps=1e-6, affine=True)


class ResBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int | None = None):
        super().__init__()
        out_ch = out_ch or in_ch
        self.in_channels, self.out_channels = in_ch, out_ch
        self.norm1, self.conv1 = _norm(in_ch), nn.Conv2d(in_ch, out_ch, 3, 1, 1)
        self.norm2, self.conv2 = _norm(out_ch), nn.Conv2d(out_ch, out_ch, 3, 1, 1)
        if in_ch != out_ch:
            self.conv_out = nn.Conv2d(in_ch, out_ch, 1, 1, 0)

    def forward(self, x_in: torch.Tensor) -> torch.Tensor:
        x = self.conv1(F.silu(self.norm1(x_in)))
        x = self.conv2(F.silu(self.norm2(x)))
        return x + (self.conv_out(x_in) if self.in_channels != self.out_channels else x_in)


class AttnBlock(nn.Module):
    """Single-head self-attention over all positions of a feature map."""

    def __init__(self, ch: int):
        super().__init__()
        self.norm = _norm(ch)
        self.q, self.k, self.v, self.proj_out = (nn.Conv2d(ch, ch, 1) for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        n = self.norm(x)
        q = self.q(n).reshape(b, c, h * w).transpose(1, 2)
        k = self.k(n).reshape(b, c, h * w)
        v = self.v(n).reshape(b, c, h * w)
        attn = torch.softmax(torch.bmm(q, k) * c**-0.5, dim=2)
        out = torch.bmm(v, attn.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.proj_out(out)


class Downsample(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, 2, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Encoder(nn.Module):
    def __init__(self, nf: int, emb_dim: int, ch_mult: tuple[int, ...], res_blocks: int, size: int,
                 attn_res: tuple[int, ...]):
        super().__init__()
        blocks: list[nn.Module] = [nn.Conv2d(3, nf, 3, 1, 1)]
        self.taps: dict[int, int] = {}  # resolution -> index of the block whose output is fused later
        res, ch = size, nf
        for level, mult in enumerate(ch_mult):
            for _ in range(res_blocks):
                blocks.append(ResBlock(ch, nf * mult))
                ch = nf * mult
                self.taps[res] = len(blocks) - 1
                if res in attn_res:
                    blocks.append(AttnBlock(ch))
            if level != len(ch_mult) - 1:
                blocks.append(Downsample(ch))
                res //= 2
        blocks += [ResBlock(ch), AttnBlock(ch), ResBlock(ch), _norm(ch), nn.Conv2d(ch, emb_dim, 3, 1, 1)]
        self.blocks = nn.ModuleList(blocks)


class Generator(nn.Module):
    def __init__(self, nf: int, emb_dim: int, ch_mult: tuple[int, ...], res_blocks: int, size: int,
                 attn_res: tuple[int, ...]):
        super().__init__()
        ch = nf * ch_mult[-1]
        res = size // 2 ** (len(ch_mult) - 1)
        blocks: list[nn.Module] = [nn.Conv2d(emb_dim, ch, 3, 1, 1), ResBlock(ch), AttnBlock(ch), ResBlock(ch)]
        self.taps: dict[int, int] = {}  # resolution -> index of the block after which encoder features fuse in
        for level in reversed(range(len(ch_mult))):
            for r in range(res_blocks):
                blocks.append(ResBlock(ch, nf * ch_mult[level]))
                ch = nf * ch_mult[level]
                if r == 0:
                    self.taps[res] = len(blocks) - 1
                if res in attn_res:
                    blocks.append(AttnBlock(ch))
            if level != 0:
                blocks.append(Upsample(ch))
                res *= 2
        blocks += [_norm(ch), nn.Conv2d(ch, 3, 3, 1, 1)]
        self.blocks = nn.ModuleList(blocks)
        self.channels = {size // 2 ** lv: nf * m for lv, m in enumerate(ch_mult)}


class VectorQuantizer(nn.Module):
    def __init__(self, codebook_size: int, emb_dim: int):
        super().__init__()
        self.embedding = nn.Embedding(codebook_size, emb_dim)

    def lookup(self, indices: torch.Tensor, shape: tuple[int, int, int, int]) -> torch.Tensor:
        """Codes (b, hw) → the codebook's vectors as a (b, c, h, w) map."""
        return self.embedding(indices).view(shape).permute(0, 3, 1, 2).contiguous()


class TransformerSALayer(nn.Module):
    def __init__(self, embed_dim: int, nhead: int, dim_mlp: int):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(embed_dim, nhead, dropout=0.0)
        self.linear1, self.linear2 = nn.Linear(embed_dim, dim_mlp), nn.Linear(dim_mlp, embed_dim)
        self.norm1, self.norm2 = nn.LayerNorm(embed_dim), nn.LayerNorm(embed_dim)

    def forward(self, tgt: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        n = self.norm1(tgt)
        tgt = tgt + self.self_attn(n + pos, n + pos, value=n)[0]
        return tgt + self.linear2(F.gelu(self.linear1(self.norm2(tgt))))


class FuseSFTBlock(nn.Module):
    """Controllable feature transformation: encoder features predict a scale and shift for the decoder's."""

    def __init__(self, ch: int):
        super().__init__()
        self.encode_enc = ResBlock(2 * ch, ch)
        self.scale = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1), nn.LeakyReLU(0.2, True), nn.Conv2d(ch, ch, 3, 1, 1))
        self.shift = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1), nn.LeakyReLU(0.2, True), nn.Conv2d(ch, ch, 3, 1, 1))

    def forward(self, enc: torch.Tensor, dec: torch.Tensor, w: float) -> torch.Tensor:
        enc = self.encode_enc(torch.cat([enc, dec], dim=1))
        return dec + w * (dec * self.scale(enc) + self.shift(enc))


def _adain(content: torch.Tensor, style: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Give ``content`` the per-channel mean and spread of ``style``."""
    c_mean, c_std = content.mean((2, 3), keepdim=True), content.var((2, 3), keepdim=True).add(eps).sqrt()
    s_mean, s_std = style.mean((2, 3), keepdim=True), style.var((2, 3), keepdim=True).add(eps).sqrt()
    return (content - c_mean) / c_std * s_std + s_mean


class CodeFormer(nn.Module):
    def __init__(self, size: int = 512, nf: int = 64, ch_mult: tuple[int, ...] = (1, 2, 2, 4, 4, 8),
                 res_blocks: int = 2, emb_dim: int = 256, codebook_size: int = 1024, dim_embd: int = 512,
                 n_head: int = 8, n_layers: int = 9, connect_list: tuple[str, ...] = ("32", "64", "128", "256")):
        super().__init__()
        latent = size // 2 ** (len(ch_mult) - 1)
        attn = (latent,)
        self.size, self.latent, self.emb_dim, self.connect_list = size, latent, emb_dim, connect_list
        self.encoder = Encoder(nf, emb_dim, ch_mult, res_blocks, size, attn)
        self.quantize = VectorQuantizer(codebook_size, emb_dim)
        self.generator = Generator(nf, emb_dim, ch_mult, res_blocks, size, attn)
        self.position_emb = nn.Parameter(torch.zeros(latent * latent, dim_embd))
        self.feat_emb = nn.Linear(emb_dim, dim_embd)
        self.ft_layers = nn.Sequential(*[TransformerSALayer(dim_embd, n_head, 2 * dim_embd) for _ in range(n_layers)])
        self.idx_pred_layer = nn.Sequential(nn.LayerNorm(dim_embd), nn.Linear(dim_embd, codebook_size, bias=False))
        self.fuse_convs_dict = nn.ModuleDict({r: FuseSFTBlock(self.generator.channels[int(r)]) for r in connect_list})

    def forward(self, x: torch.Tensor, w: float = 0.5, adain: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """Restored image in [-1, 1] and the code logits, for a batch of [-1, 1] RGB faces."""
        taps = {self.encoder.taps[int(r)]: r for r in self.connect_list}
        enc: dict[str, torch.Tensor] = {}
        for i, block in enumerate(self.encoder.blocks):
            x = block(x)
            if i in taps:
                enc[taps[i]] = x
        lq = x
        b = x.shape[0]
        query = self.feat_emb(lq.flatten(2).permute(2, 0, 1))
        pos = self.position_emb.unsqueeze(1).repeat(1, b, 1)
        for layer in self.ft_layers:
            query = layer(query, pos)
        logits = self.idx_pred_layer(query).permute(1, 0, 2)
        codes = logits.argmax(dim=2)
        x = self.quantize.lookup(codes, (b, self.latent, self.latent, self.emb_dim))
        if adain:
            x = _adain(x, lq)
        fuse = {self.generator.taps[int(r)]: r for r in self.connect_list}
        for i, block in enumerate(self.generator.blocks):
            x = block(x)
            if i in fuse and w > 0:
                x = self.fuse_convs_dict[fuse[i]](enc[fuse[i]], x, w)
        return x, logits


def load_checkpoint(checkpoint: dict[str, Any]) -> CodeFormer:
    """A CodeFormer with a checkpoint's weights (``params_ema`` as released, else ``params`` or a bare state
    dict); the published sizes unless the checkpoint records its own (``atelier_config``, e.g. tiny test
    models). Loading is strict: a checkpoint of another layout is refused, never half-loaded."""
    config = dict(checkpoint.get("atelier_config") or {})
    if "ch_mult" in config:
        config["ch_mult"] = tuple(config["ch_mult"])
    if "connect_list" in config:
        config["connect_list"] = tuple(config["connect_list"])
    state = checkpoint.get("params_ema") or checkpoint.get("params") or checkpoint
    net = CodeFormer(**config)
    net.load_state_dict({k: v for k, v in state.items() if isinstance(v, torch.Tensor)}, strict=True)
    return net.eval()
