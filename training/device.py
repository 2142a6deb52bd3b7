"""Where training runs and in what precision: CUDA when present, bf16 where the hardware has it."""

import torch


def get_device(name):
    """'auto' picks CUDA when it is there."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def get_precision(name, device):
    """'auto' picks bf16 where the hardware runs it natively (about twice as fast on such CPUs)."""
    if name != "auto":
        return name
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_native_bf16() else "fp32"


def cpu_has_native_bf16():
    """Whether this CPU multiplies bf16 natively (AVX512-BF16 or AMX), as oneDNN reports it."""
    try:
        return bool(
            torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    except (AttributeError, RuntimeError):  # a private check: absent in some builds
        return False
