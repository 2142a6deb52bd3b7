"""Training-time distortions of hand-drawn digits, batched in torch.

Rotation, shear, aspect change, elastic distortion (Simard et al. 2003) and
stroke thickness. The result is re-normalised with normalizing_theta (preprocess.normalize's
geometry, batched), so augmented digits stay cropped, 20 px and centred exactly as drawn input
is.
"""

import math

import torch
import torch.nn.functional as F

from recognition.preprocess import BOX, CENTRE, FIELD, INK_THRESHOLD


def _gaussian_kernel(sigma):
    radius = int(math.ceil(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-(x**2) / (2 * sigma**2))
    return k / k.sum()


def elastic_fields(n, alpha, sigma, generator, size=FIELD):
    """n smooth random displacement fields (n, size, size, 2), in pixels."""
    field = torch.rand(n * 2, 1, size, size, generator=generator) * 2 - 1
    k = _gaussian_kernel(sigma)
    pad = k.numel() // 2
    field = F.conv2d(F.pad(field, (pad, pad, 0, 0), mode="reflect"), k.view(1, 1, 1, -1))
    field = F.conv2d(F.pad(field, (0, 0, pad, pad), mode="reflect"), k.view(1, 1, -1, 1))
    return (field * alpha).view(n, 2, size, size).permute(0, 2, 3, 1).contiguous()


class Distorter:
    """Distorts batches of (N, 1, 28, 28) digits on the 0..1 scale; seeded, so runs repeat."""

    def __init__(
        self,
        generator,
        rotate=15.0,
        shear=0.3,
        aspect=0.25,
        elastic_alpha=34.0,
        elastic_sigma=5.0,
        thicken=0.6,
        thin=0.3,
        bank_size=4096,
        clean=0.2,
        mode="bicubic",
    ):
        self.generator = generator
        # Resampling blurs: bilinear halves the edge energy of a digit. Test digits are
        # sharp, so resample bicubic and leave a share of each batch as it was.
        self.clean, self.mode = clean, mode
        self.rotate, self.shear, self.aspect = math.radians(rotate), shear, aspect
        # Thinning less than thickening: grey erosion dims thin strokes, which drawn input never is.
        self.thicken, self.thin = thicken, thin
        # Smoothing fresh noise every batch would cost more than the training step;
        # a bank of fields, picked at random with random signs, is as varied in practice.
        self.bank = elastic_fields(bank_size, elastic_alpha, elastic_sigma, generator) * (2 / FIELD)

    def describe(self):
        """What the sidecar records about augmentation."""
        return {
            "rotate_degrees": round(math.degrees(self.rotate), 3),
            "shear": self.shear,
            "aspect": self.aspect,
            "thicken": self.thicken,
            "thin": self.thin,
            "elastic_bank": len(self.bank),
            "clean": self.clean,
            "sampling": self.mode,
            "renormalised": True,
        }

    def _uniform(self, n):
        return torch.rand(n, generator=self.generator) * 2 - 1

    def __call__(self, images, keep=None):
        """The images distorted, but a clean share of them and those where keep (bool (N,)) is
        set.
        """
        if self.clean or keep is not None:
            # Distort only the digits not kept clean, so the clean share costs no work.
            kept = torch.rand(images.shape[0], generator=self.generator) < self.clean
            if keep is not None:
                kept |= keep
            out = images.clone()
            if not kept.all():
                out[~kept] = self._distort(images[~kept])
            return out
        return self._distort(images)

    def _distort(self, images):
        n = images.shape[0]
        angle = self._uniform(n) * self.rotate
        # Aspect change as a log-uniform scale of each axis: wide and narrow writing alike.
        sx = torch.exp(self._uniform(n) * math.log1p(self.aspect))
        sy = torch.exp(self._uniform(n) * math.log1p(self.aspect))
        sh = self._uniform(n) * self.shear
        cos, sin = torch.cos(angle), torch.sin(angle)
        # Output -> input sampling matrix: rotation @ shear @ scale.
        a = torch.stack(
            [cos * sx, (cos * sh - sin) * sy, sin * sx, (sin * sh + cos) * sy], dim=1
        ).view(n, 2, 2)
        pick = torch.randint(len(self.bank), (n,), generator=self.generator)
        sign = torch.where(torch.rand(n, 1, 1, 2, generator=self.generator) < 0.5, -1.0, 1.0)
        elastic = self.bank[pick] * sign
        amount = (self._uniform(n) + 1) / 2 * (self.thicken + self.thin) - self.thin
        images = _thickness(images, amount)
        identity = _identity_grid(images.shape[-1])
        distorted = F.grid_sample(images, _affine(identity, a) + elastic, align_corners=False)
        # Re-normalise by composing the normalising affine with the distortion, so
        # the digit is resampled once (twice would blur it).
        placement = _scale_shift_grid(normalizing_theta(distorted), identity)
        # The elastic field lives on the pixel grid; outside it there is no displacement.
        shift = F.grid_sample(elastic.permute(0, 3, 1, 2), placement, align_corners=False).permute(
            0, 2, 3, 1
        )
        return F.grid_sample(
            images, _affine(placement, a) + shift, mode=self.mode, align_corners=False
        ).clamp_(0, 1)


def _affine(points, a):
    """Apply per-digit 2x2 matrices a (N, 2, 2) to sampling points (N, H, W, 2)."""
    x, y = points[..., 0], points[..., 1]
    a = a.view(-1, 1, 1, 2, 2)
    return torch.stack(
        [a[..., 0, 0] * x + a[..., 0, 1] * y, a[..., 1, 0] * x + a[..., 1, 1] * y], dim=-1
    )


def _identity_grid(size):
    """Sampling points (1, size, size, 2) of the undistorted pixel grid, as F.affine_grid gives
    them.
    """
    return F.affine_grid(torch.eye(2, 3).unsqueeze(0), [1, 1, size, size], align_corners=False)


def _scale_shift_grid(theta, base):
    """F.affine_grid for matrices that only scale and shift (normalizing_theta's) over the
    identity grid base.
    """
    x = base[..., 0] * theta[:, 0, 0].view(-1, 1, 1) + theta[:, 0, 2].view(-1, 1, 1)
    y = base[..., 1] * theta[:, 1, 1].view(-1, 1, 1) + theta[:, 1, 2].view(-1, 1, 1)
    return torch.stack([x, y], dim=-1)


def _thickness(images, amount):
    """amount > 0 thickens (grey dilation), < 0 thins (grey erosion), blended by |amount|."""
    sign = torch.where(amount > 0, 1.0, -1.0).view(-1, 1, 1, 1)
    # Erosion is dilation of the negative: one pass serves both.
    target = sign * _max3x3(images * sign)
    return images + amount.abs().view(-1, 1, 1, 1) * (target - images)


def _max3x3(images):
    """F.max_pool2d(images, 3, stride=1, padding=1), done as two 1-D passes: several times faster
    on CPU.
    """
    padded = F.pad(images, (1, 1, 1, 1), value=-math.inf)
    rows = torch.maximum(
        torch.maximum(padded[..., :-2, :], padded[..., 1:-1, :]), padded[..., 2:, :]
    )
    return torch.maximum(torch.maximum(rows[..., :-2], rows[..., 1:-1]), rows[..., 2:])


def normalizing_theta(images):
    """Per-digit affine (N, 2, 3) for F.affine_grid that crops, scales to BOX and centres the mass.

    The same geometry as normalize(), batched in torch so that augmented training
    digits are placed exactly as drawn input is. An empty digit keeps the identity.
    """
    n = images.shape[0]
    x = images[:, 0]
    mask = x > INK_THRESHOLD
    index = torch.arange(FIELD, dtype=x.dtype, device=x.device)
    big = torch.tensor(FIELD, dtype=x.dtype, device=x.device)
    extents = []
    for dim in (2, 1):  # rows that hold ink, then columns that do
        present = mask.any(dim=dim)
        first = torch.where(present, index, big).amin(dim=1)
        last = torch.where(present, index, -big).amax(dim=1)
        extents.append((last - first + 1).clamp(min=1))
    empty = ~mask.flatten(1).any(dim=1)
    scale = torch.where(empty, torch.ones_like(big), BOX / torch.maximum(*extents))
    mass = x.sum(dim=(1, 2)).clamp(min=1e-6)
    com_row = torch.where(
        empty, torch.full_like(big, CENTRE), (x.sum(dim=2) * index).sum(dim=1) / mass
    )
    com_col = torch.where(
        empty, torch.full_like(big, CENTRE), (x.sum(dim=1) * index).sum(dim=1) / mass
    )
    # Output pixel p samples input pixel com + (p - CENTRE) / scale; affine_grid
    # works in [-1, 1] coordinates with align_corners=False.
    theta = torch.zeros(n, 2, 3, dtype=x.dtype, device=x.device)
    theta[:, 0, 0] = 1 / scale
    theta[:, 1, 1] = 1 / scale
    theta[:, 0, 2] = (2 * (com_col + (FIELD / 2 - 0.5 - CENTRE) / scale) + 1) / FIELD - 1
    theta[:, 1, 2] = (2 * (com_row + (FIELD / 2 - 0.5 - CENTRE) / scale) + 1) / FIELD - 1
    return theta
