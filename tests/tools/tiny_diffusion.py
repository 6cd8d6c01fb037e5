"""Tiny randomly initialised SD1.5 + ControlNet components, saved in ATELIER_MODELS' layout, so the real
diffusers loading and sampling code runs in CI (the shapes follow diffusers' own dummy components)."""

from __future__ import annotations

from pathlib import Path


def byte_symbols() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for bytes (printable ASCII/Latin-1 map to
    themselves, the rest to code points from 256 up)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = iter(range(256, 512))
    return [chr(b) if b in keep else chr(next(extra)) for b in range(256)]


def byte_level_tokenizer(folder: Path):
    """A CLIP tokenizer with only the 256 byte-level symbols (plus word-end forms) and no merges."""
    from transformers import CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    symbols = byte_symbols()
    vocab = {s: i for i, s in enumerate(symbols + [s + "</w>" for s in symbols])}
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)


def write_tiny_sd15_controlnet(models: Path, seed: int = 0) -> None:
    import torch
    from diffusers import AutoencoderKL, ControlNetModel, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    blocks = dict(block_out_channels=(32, 64), layers_per_block=2, down_block_types=("DownBlock2D",
                  "CrossAttnDownBlock2D"), cross_attention_dim=32)
    unet = UNet2DConditionModel(sample_size=32, in_channels=4, out_channels=4, norm_num_groups=1,
                                up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), **blocks)
    controlnet = ControlNetModel(in_channels=4, conditioning_embedding_out_channels=(16, 32), norm_num_groups=1,
                                 **blocks)
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3, norm_num_groups=32,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4)
    tokenizer = byte_level_tokenizer(models / "_tokenizer")
    text = CLIPTextModel(CLIPTextConfig(bos_token_id=len(tokenizer) - 2, eos_token_id=len(tokenizer) - 1,
                                        hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05,
                                        num_attention_heads=4, num_hidden_layers=2, pad_token_id=1,
                                        vocab_size=len(tokenizer) + 8))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False)
    StableDiffusionPipeline(vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                            safety_checker=None, feature_extractor=None,
                            requires_safety_checker=False).save_pretrained(models / "sd15")
    controlnet.save_pretrained(models / "controlnet-canny")


def write_tiny_ip_adapter(models: Path, seed: int = 0, tokens: int = 4) -> None:
    """A tiny IP-Adapter for the tiny UNet: an image encoder plus ``image_proj`` / ``ip_adapter`` weights
    keyed as diffusers reads them (``1, 3, 5, ...`` for each cross-attention processor in order)."""
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(seed)
    folder = models / "ip-adapter"
    embed = 32
    CLIPVisionModelWithProjection(CLIPVisionConfig(hidden_size=32, projection_dim=embed, num_hidden_layers=2,
                                                   num_attention_heads=4, image_size=224, patch_size=32,
                                                   intermediate_size=37)).save_pretrained(folder / "image_encoder")
    unet = UNet2DConditionModel.from_pretrained(models / "sd15" / "unet")
    cross = unet.config.cross_attention_dim
    weights = {"image_proj.proj.weight": torch.randn(cross * tokens, embed) * 0.02,
               "image_proj.proj.bias": torch.zeros(cross * tokens),
               "image_proj.norm.weight": torch.ones(cross), "image_proj.norm.bias": torch.zeros(cross)}
    key = 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        hidden = unet.get_submodule(name.removesuffix(".processor")).to_q.out_features
        weights[f"ip_adapter.{key}.to_k_ip.weight"] = torch.randn(hidden, cross) * 0.02
        weights[f"ip_adapter.{key}.to_v_ip.weight"] = torch.randn(hidden, cross) * 0.02
        key += 2
    save_file(weights, str(folder / "ip-adapter_sd15.safetensors"))


def _tiny_sdxl_unet(cross_attention_dim: int, time_inputs: int):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 1), norm_num_groups=8,
        projection_class_embeddings_input_dim=time_inputs * 8 + 32, cross_attention_dim=cross_attention_dim)


def write_tiny_sdxl_inpaint(models: Path, seed: int = 0, refiner: bool = True) -> None:
    """A tiny SDXL inpainting base (two text encoders) and, like the real refiner, a refiner with only the
    second encoder and the aesthetic-score conditioning; VAE downsampling ×8 as in SDXL."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLInpaintPipeline
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    tokenizer = byte_level_tokenizer(models / "_tokenizer")
    config = CLIPTextConfig(bos_token_id=len(tokenizer) - 2, eos_token_id=len(tokenizer) - 1, hidden_size=32,
                            intermediate_size=37, layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=2,
                            pad_token_id=1, vocab_size=len(tokenizer) + 8, hidden_act="gelu", projection_dim=32)
    vae = AutoencoderKL(block_out_channels=[8, 8, 16, 16], in_channels=3, out_channels=3, norm_num_groups=8,
                        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
                        latent_channels=4, sample_size=128)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, steps_offset=1,
                                       beta_schedule="scaled_linear", timestep_spacing="leading")
    text_2 = CLIPTextModelWithProjection(config)
    StableDiffusionXLInpaintPipeline(
        vae=vae, text_encoder=CLIPTextModel(config), text_encoder_2=text_2, tokenizer=tokenizer,
        tokenizer_2=tokenizer, unet=_tiny_sdxl_unet(64, 6), scheduler=scheduler,
        requires_aesthetics_score=False, force_zeros_for_empty_prompt=True).save_pretrained(models / "sdxl" / "base")
    if refiner:
        StableDiffusionXLInpaintPipeline(
            vae=vae, text_encoder=None, text_encoder_2=text_2, tokenizer=None, tokenizer_2=tokenizer,
            unet=_tiny_sdxl_unet(32, 5), scheduler=scheduler, requires_aesthetics_score=True,
            force_zeros_for_empty_prompt=False).save_pretrained(models / "sdxl" / "refiner")
