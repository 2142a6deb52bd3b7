"""MNIST digits redrawn with the app's pen: each digit thinned to its centre line, then drawn
along it as strokes are.

MNIST digits are scans: their strokes swell and fade. What the app reads is a pen line of one
width with round ends (recognition.preprocess.render_strokes), and so are the "not a digit"
negatives. Redrawing a share of the training digits along their own centre lines keeps the 55,000
writers' shapes and gives them the pen's look, so that look alone never says "not a digit" and
the digits the app sees are no stranger to the model than the scans. Nothing here comes from
../shared/strokes.
"""

import numpy as np
import torch
import torch.nn.functional as F

from recognition import preprocess

UPSAMPLE = 2  # thinning at 56x56: at 28x28 the centre line is a staircase
THRESHOLD = 0.45  # ink (0..1) that counts as stroke before thinning


def _removable():
    """Zhang-Suen's two sub-steps as tables over a pixel's 8 neighbours, P2..P9 clockwise from
    north as bits 0..7.
    """
    codes = np.arange(256)
    p = [(codes >> i) & 1 for i in range(8)]
    count = sum(p)
    rises = sum((p[i] == 0) & (p[(i + 1) % 8] == 1) for i in range(8))
    border = (count >= 2) & (count <= 6) & (rises == 1)
    first = border & (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
    second = border & (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
    return [torch.from_numpy(step) for step in (first, second)]


def thin(mask):
    """Zhang-Suen thinning of a batch of masks (N, H, W) bool: one-pixel-wide centre lines,
    connectivity kept.
    """
    x = F.pad(mask.to(torch.uint8), (1, 1, 1, 1))
    steps = _removable()
    # digits still thinning: the thick ones take several times the passes
    active = torch.arange(len(x))
    while len(active):
        y = x[active]
        changed = torch.zeros(len(active), dtype=torch.bool)
        for removable in steps:
            p = [
                y[:, :-2, 1:-1],
                y[:, :-2, 2:],
                y[:, 1:-1, 2:],
                y[:, 2:, 2:],
                y[:, 2:, 1:-1],
                y[:, 2:, :-2],
                y[:, 1:-1, :-2],
                y[:, :-2, :-2],
            ]
            code = p[0].clone()
            for i in range(1, 8):
                code |= p[i] << i
            remove = removable[code.long()] & (y[:, 1:-1, 1:-1] == 1)
            y[:, 1:-1, 1:-1][remove] = 0
            changed |= remove.flatten(1).any(dim=1)
        x[active] = y
        active = active[changed]
    return x[:, 1:-1, 1:-1].bool()


def centre_lines(images):
    """uint8 (N, 28, 28) -> the centre-line masks (N, 56, 56) bool."""
    ink = torch.tensor(images, dtype=torch.float32).div_(255.0).unsqueeze(1)
    big = F.interpolate(ink, scale_factor=UPSAMPLE, mode="bicubic", align_corners=False)[:, 0]
    return thin(big > THRESHOLD)


def redraw(images, chunk=2048):
    """(redrawn uint8 (N, 28, 28), has (N,) bool): each digit drawn along its centre line with
    the app's pen.
    """
    out, has = np.array(images, copy=True), np.zeros(len(images), dtype=bool)
    for start in range(0, len(images), chunk):
        lines = centre_lines(images[start : start + chunk]).numpy()
        for i, line in enumerate(lines, start):
            rows, cols = np.nonzero(line)
            if len(rows) < 2:
                continue
            # Each centre-line pixel is one pen dab: the union of dabs is the pen drawn along the
            # line.
            pixels = preprocess.strokes_to_input(
                np.stack([cols, rows], axis=1)[:, None].astype(np.float64)
            )
            if pixels is not None:
                out[i], has[i] = pixels, True
    return out, has


def describe():
    """What the sidecar records about the redrawn digits."""
    return {
        "thinning": "Zhang-Suen",
        "upsample": UPSAMPLE,
        "threshold": THRESHOLD,
        "pen": "recognition.preprocess (the app's)",
    }
