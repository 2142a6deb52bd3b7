"""Training-time distortions of hand-drawn digits, batched in torch.

Rotation, shear, aspect change, elastic distortion and stroke thickness; the
result is re-normalised with preprocess.normalize_batch, so augmented digits
stay cropped, 20 px and centred exactly as drawn input always is.
"""
import math

import torch
import torch.nn.functional as F

from .preprocess import normalizing_theta



def _gaussian_kernel(sigma, device):
    radius = int(math.ceil(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32, device=device)
    k = torch.exp(-x ** 2 / (2 * sigma ** 2))
    return k / k.sum()


def elastic_field(n, size, alpha, sigma, generator, device):
    """Smooth random displacement fields (n, size, size, 2) in pixels (Simard et al. 2003)."""
    field = torch.rand(n * 2, 1, size, size, generator=generator, device=device) * 2 - 1
    k = _gaussian_kernel(sigma, device)
    pad = k.numel() // 2
    field = F.conv2d(F.pad(field, (pad, pad, 0, 0), mode="reflect"), k.view(1, 1, 1, -1))
    field = F.conv2d(F.pad(field, (0, 0, pad, pad), mode="reflect"), k.view(1, 1, -1, 1))
    return (field * alpha).view(n, 2, size, size).permute(0, 2, 3, 1)


def distort(images, generator, rotate=12.0, shear=0.2, aspect=0.15, elastic_alpha=30.0, elastic_sigma=5.0,
            thickness=0.5):
    """(N, 1, 28, 28) float 0..1 -> distorted and re-normalised digits of the same shape."""
    n, _, size, _ = images.shape
    device = images.device
    u = lambda *shape: torch.rand(*shape, generator=generator, device=device) * 2 - 1  # noqa: E731
    angle = u(n) * math.radians(rotate)
    sx = 1 + u(n) * aspect
    sy = 1 + u(n) * aspect
    sh = u(n) * shear
    cos, sin = torch.cos(angle), torch.sin(angle)
    # Output -> input sampling matrix: rotation @ shear @ scale.
    theta = torch.zeros(n, 2, 3, device=device)
    theta[:, 0, 0] = cos * sx
    theta[:, 0, 1] = (cos * sh - sin) * sy
    theta[:, 1, 0] = sin * sx
    theta[:, 1, 1] = (sin * sh + cos) * sy
    if thickness > 0:
        images = _thickness(images, u(n) * thickness)
    elastic = elastic_field(n, size, elastic_alpha, elastic_sigma, generator, device) * (2 / size)
    identity = F.affine_grid(torch.eye(2, 3, device=device).expand(n, 2, 3), list(images.shape), align_corners=False)
    distorted = F.grid_sample(images, _warp(identity, theta, elastic), align_corners=False)
    # Re-normalise by composing the normalising affine with the distortion, so
    # the digit is resampled once (twice would blur it).
    placement = F.affine_grid(normalizing_theta(distorted), list(images.shape), align_corners=False)
    return F.grid_sample(images, _warp(placement, theta, elastic), align_corners=False).clamp_(0, 1)


def _warp(points, theta, elastic):
    """Map sampling points (N, H, W, 2) through the affine theta plus the elastic field."""
    moved = points @ theta[:, :, :2].transpose(1, 2).unsqueeze(1) + theta[:, :, 2].view(-1, 1, 1, 2)
    # The elastic field lives on the pixel grid; outside it there is no displacement.
    shift = F.grid_sample(elastic.permute(0, 3, 1, 2), points, align_corners=False).permute(0, 2, 3, 1)
    return moved + shift


def _thickness(images, amount):
    """amount > 0 thickens (grey dilation), < 0 thins (grey erosion), blended by |amount|."""
    dilated = F.max_pool2d(images, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-images, 3, stride=1, padding=1)
    target = torch.where((amount > 0).view(-1, 1, 1, 1), dilated, eroded)
    w = amount.abs().view(-1, 1, 1, 1)
    return images + w * (target - images)
