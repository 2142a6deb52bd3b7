"""The one place that turns drawn strokes or an image into the model's 28x28 input.

MNIST's recipe: crop to the ink, scale so the longer side is 20 px keeping the
aspect ratio (anti-aliased), then translate so the centre of mass lands on the
centre of a 28x28 field. Output: uint8, ink bright (0..255), or None for no ink.
"""

import math

import numpy as np
from PIL import Image, ImageDraw, ImageOps

FIELD = 28
BOX = 20
# MNIST's mean centre of mass in pixel-index coordinates (row, col); measured
# over the 60k training digits, 13.996 and 14.007.
CENTRE = 14.0
# Drawing happens SUPERSAMPLE times finer, then is averaged down: anti-aliasing.
SUPERSAMPLE = 4
# Pen width as a fraction of the digit's longer side, so a digit drawn small or
# large comes out as thick as MNIST's strokes (0.14 matches MNIST's mean ink
# per digit class on real pen-drawn digits).
PEN_WIDTH = 0.14
# Ink below this (0..1) does not count when cropping or deciding "empty".
INK_THRESHOLD = 0.1
# Images are read at most this many pixels a side (box-averaged down by a whole factor): the digit
# ends up 20 px tall anyway, and a 16-megapixel photo read whole took most of a second.
WORK_SIDE = 1024
# The EXIF tag saying how a photo is turned (1: upright).
EXIF_ORIENTATION = 0x0112
# Coordinates beyond this magnitude are rescaled first so float maths stays finite.
COORD_LIMIT = 1e12
# A drawing spanning less than this is rescaled to span 1: the pen's width is a share of the
# drawing's size, and the scale that draws a span of 1e-308 overflows.
_SPAN_FLOOR = 1e-6


def coordinate_scale(points):
    """The factor that brings coordinates within +-COORD_LIMIT (1.0 when they are already), so
    that differences and sizes computed from them stay finite."""
    largest = float(np.abs(points).max())
    return COORD_LIMIT / largest if largest > COORD_LIMIT else 1.0


def strokes_to_input(strokes):
    """Strokes (lists of [x, y] points, y down, any units) -> 28x28 uint8, or None if empty.
    ValueError for coordinates that are not finite."""
    parts = [
        np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes if len(stroke)
    ]
    if not parts:
        return None
    everything = np.concatenate(parts)
    if not np.isfinite(everything).all():
        raise ValueError("stroke coordinates must be finite numbers")
    scale = coordinate_scale(everything)
    if scale != 1.0:
        # Scaled before subtracting: -1e308 and 1e308 are 2e308 apart, past float's range.
        parts = [part * scale for part in parts]
    return render_parts(parts)


def render_parts(parts):
    """Strokes already checked -> 28x28 uint8: (n, 2) float arrays, none empty, finite and
    within COORD_LIMIT (as strokes_to_input and recognition.numbers leave them)."""
    everything = np.concatenate(parts)
    origin = everything.min(axis=0)
    magnitude = np.abs(everything - origin).max()
    unit = magnitude if 0 < magnitude < _SPAN_FLOOR else 1.0
    # All points at once, not stroke by stroke: a stroke per pen dab (training's redraw) stays
    # cheap.
    return normalize(render_strokes((everything - origin) / unit, [len(p) for p in parts]))


def render_strokes(everything, lengths):
    """Strokes (all points (n, 2), min at 0; points per stroke) drawn with the longer side
    BOX*SUPERSAMPLE px.
    """
    width, height = everything.max(axis=0)
    size = max(width, height)
    if size == 0:
        size = 1.0  # a single dot: it still has a pen width, so it is drawn as a disc
    pen = PEN_WIDTH * size
    scale = BOX * SUPERSAMPLE / (size + pen)
    pen_px = max(1, round(pen * scale))
    margin = pen_px  # room for round caps
    canvas = Image.new(
        "L",
        (math.ceil(width * scale) + 2 * margin + 1, math.ceil(height * scale) + 2 * margin + 1),
        0,
    )
    draw = ImageDraw.Draw(canvas)
    radius = (pen_px - 1) / 2
    on_canvas, start = (everything * scale + margin).tolist(), 0
    for length in lengths:
        xy = on_canvas[start : start + length]
        start += length
        if len(xy) > 1:
            draw.line([tuple(p) for p in xy], fill=255, width=pen_px)
        # A disc at every point: round caps and joins (PIL's joint="curve" is far slower).
        for x, y in xy:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas, dtype=np.float32) * (1 / 255.0)


def working_ink(image):
    """(ink, factor): ink intensity 0..1 (float32, ink bright; None if the image holds none),
    shrunk by a whole factor past WORK_SIDE: ink pixel (x, y) stands for the image's factor x
    factor block at (x, y) * factor (a JPEG decoded smaller counts in the original's pixels).
    """
    # A JPEG may have been decoded smaller (webapp.validation): each of its pixels then stands
    # for decoded_at of the original's along a side, and positions come back in the original's.
    decoded_at = image.info.get("decoded_at", 1)
    # exif_transpose copies the image even when it has nothing to turn: only call it when it has.
    if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)
    factor = max(1, math.ceil(max(image.size) / WORK_SIDE))
    if factor > 1:
        # reduce() cannot average these; RGBA keeps
        if image.mode not in ("L", "LA", "RGB", "RGBA", "F"):
            image = image.convert("RGBA")  # any transparency for _ink's test
        image = image.reduce(factor)
    return _ink(image), factor * decoded_at


def _ink(image):
    """Ink 0..1 of an upright image, or None."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] == 255:
            # Opaque everywhere: a plain picture, as it shows on a white page.
            return _ink(rgba.convert("RGB"))
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        if np.median(alpha) < 0.5:
            # Ink on a transparent background: ink is where it is opaque.
            return alpha if alpha.max() >= INK_THRESHOLD else None
        # An opaque picture (a few translucent pixels do not make it ink-on-transparency):
        # seen as it shows on a white page.
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba).convert("RGB")
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    background = float(np.median(gray))
    ink = gray if background < 0.5 else 1.0 - gray
    floor = min(background, 1.0 - background)
    ink = np.clip(ink - floor, 0.0, None)
    peak = float(ink.max())
    if peak < INK_THRESHOLD:
        return None
    return ink / peak


def _ink_box(mask):
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return (rows[0], rows[-1]), (cols[0], cols[-1])


def normalize(ink):
    """Ink (float 0..1, any size) -> 28x28 uint8, MNIST's way.

    Crop to the ink, scale (anti-aliased) so the longer side fills a 20x20 box
    and the shorter one is centred in it, then shift that box by whole pixels so
    the centre of mass lands on CENTRE, as MNIST's digits were placed. None when
    no ink shows at 28x28 (a few specks spread over a huge image round away).
    """
    ink = np.asarray(ink, dtype=np.float32)  # PIL's "F" mode reads float32 only
    mask = ink > INK_THRESHOLD  # the ink that counts, for "empty" and for the crop alike
    if not mask.any():
        return None
    rows, cols = _ink_box(mask)
    patch = ink[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1]
    s = SUPERSAMPLE
    side = BOX * s
    h, w = patch.shape
    scale = side / max(h, w)
    size = (min(side, max(1, round(w * scale))), min(side, max(1, round(h * scale))))
    if size != (w, h):
        filter_ = Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.BOX
        patch = np.clip(
            np.asarray(Image.fromarray(patch, mode="F").resize(size, filter_)), 0.0, 1.0
        )
    box = np.zeros((side, side), dtype=np.float32)
    top, left = (side - patch.shape[0]) // 2, (side - patch.shape[1]) // 2
    box[top : top + patch.shape[0], left : left + patch.shape[1]] = patch
    box = np.rint(box.reshape(BOX, s, BOX, s).mean(axis=(1, 3)) * 255.0)
    # The centre of mass of the rounded pixels, so the whole-pixel shift puts it within 0.5 px.
    mass = box.sum()
    if mass == 0:
        return None
    index = np.arange(BOX)
    com_row, com_col = (
        (box.sum(axis=1) * index).sum() / mass,
        (box.sum(axis=0) * index).sum() / mass,
    )
    field = np.zeros((FIELD, FIELD), dtype=np.uint8)
    _paste(field, box.astype(np.uint8), round(CENTRE - com_row), round(CENTRE - com_col))
    return field


def _paste(field, patch, top, left):
    h, w = patch.shape
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + h, field.shape[0]), min(left + w, field.shape[1])
    if t1 > t0 and l1 > l0:
        field[t0:t1, l0:l1] = patch[t0 - top : t1 - top, l0 - left : l1 - left]
