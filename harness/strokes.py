"""Real stroke records as a page would send them: read the file, fit digits into a canvas."""

import json
from pathlib import Path

from training import stroke_files

SHARED_STROKES = Path(__file__).resolve().parent.parent.parent / "shared" / "strokes"
DEFAULT_STROKES = SHARED_STROKES / "unipen1a_dev.json.gz"
DEFAULT_LETTERS = SHARED_STROKES / "unipen_letters_dev.json.gz"
# The shared digits that do not show their label to a person (two digits in one record, a "%", a
# dash...).
DEFAULT_UNREADABLE = SHARED_STROKES / "unipen1a_dev_unreadable.json"
# The real pen digits shipped for training; their held-out writers are measured, never trained on.
PEN_HELD_OUT = stroke_files.DEFAULT_FILES[0]


def load_strokes(path=DEFAULT_STROKES):
    """Records of {'label', 'strokes'} from a gzipped (or plain) JSON list (ValueError, one line,
    if not).
    """
    return stroke_files.read(path, digits=False)


def unreadable_list(strokes_path, given=None):
    """The list of unreadable records that goes with a stroke file: the one given, else the
    shared list for the shared file, else none (None).
    """
    if given:
        return given
    return DEFAULT_UNREADABLE if Path(strokes_path).resolve() == DEFAULT_STROKES.resolve() else None


def unreadable_indices(records, path=DEFAULT_UNREADABLE):
    """Indices of the records listed as not showing their label (none for path None); each must
    match its record.
    """
    if path is None:
        return set()
    try:
        entries = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable list of unreadable records ({exc})") from None
    indices = set()
    for entry in entries:
        index = entry["index"]
        if not 0 <= index < len(records) or records[index]["label"] != entry["label"]:
            raise ValueError(
                f"{path}: entry {entry} does not match record {index} of the stroke file"
            )
        indices.add(index)
    return indices


def readable(records, path=DEFAULT_UNREADABLE):
    """The records that show their label, in their order."""
    left_out = unreadable_indices(records, path)
    return [r for i, r in enumerate(records) if i not in left_out]


def pen_held_out(path=PEN_HELD_OUT):
    """The held-out writers' digits of the shipped pen file: never trained on."""
    return stroke_files.split(stroke_files.read(path))[1]


def fit_strokes(strokes, box, margin=0.15):
    """Scale and move strokes (any units) into a box {x, y, width, height}, keeping the aspect."""
    xs = [p[0] for s in strokes for p in s]
    ys = [p[1] for s in strokes for p in s]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = min(box["width"], box["height"]) * (1 - 2 * margin) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    ox, oy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return [[[ox + (x - cx) * scale, oy + (y - cy) * scale] for x, y in s] for s in strokes]


def canvas_payload(strokes, size=500):
    """The JSON body the page sends for these strokes on a size x size canvas (0.1 px precision)."""
    fitted = fit_strokes(strokes, {"x": 0, "y": 0, "width": size, "height": size})
    rounded = [[[round(x, 1), round(y, 1)] for x, y in s] for s in fitted]
    return {"strokes": rounded, "width": size, "height": size}


def demo_sample(records, per_digit=2, decimals=3):
    """The kiosk's attract-loop digits: the first per_digit records of each digit, fitted into a
    unit box.

    Written to static/kiosk/demo-digits.json (see README, Kiosk); a test holds the shipped file
    to this.
    """
    picked = []
    for digit in range(10):
        for record in [r for r in records if r["label"] == digit][:per_digit]:
            fitted = fit_strokes(
                record["strokes"], {"x": 0, "y": 0, "width": 1, "height": 1}, margin=0
            )
            picked.append(
                {
                    "label": digit,
                    "writer": record.get("writer"),
                    "strokes": [
                        [[round(x, decimals), round(y, decimals)] for x, y in s] for s in fitted
                    ],
                }
            )
    return {
        "source": (
            "UNIPEN train_r01_v07, section 1a (isolated digits), "
            "International Unipen Foundation, CC BY 4.0, doi 10.5281/zenodo.1195803"
        ),
        "digits": picked,
    }
