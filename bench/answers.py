"""The API's exact answers on the shared strokes, to prove a refactor changed none of them.

Run as `python -m bench.answers --out before.json` before a change and
`python -m bench.answers --compare before.json` after it. Through the Flask
test client (no server), it posts each shared digit record as the page sends
it to /api/predict, numbers of two to four of them written side by side, a few
as PNG images, and a share of them to /api/explain, and keeps the SHA-256 of
each response's bytes. `--compare` names every request whose bytes differ.
It is a check, not a figure: nothing is written to BENCHMARKS.md.
"""

import hashlib
import json
import sys

import numpy as np
from PIL import Image, ImageDraw

from bench import runner
from harness.images import png_data_url
from harness.strokes import canvas_payload, load_strokes
from training.composed import compose
from webapp import create_app


def parse_args(argv=None):
    p = runner.parser("answers", __doc__, model=False, output=False)
    p.add_argument("--numbers", type=int, default=600, help="numbers of two to four digits posted")
    p.add_argument("--images", type=int, default=100, help="records posted as PNG images")
    p.add_argument(
        "--explain-every", type=int, default=10, help="post every n-th request to /api/explain too"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the numbers built")
    output = p.add_mutually_exclusive_group(required=True)
    output.add_argument("--out", help="write the digests to this JSON file")
    output.add_argument("--compare", help="compare with the digests in this JSON file")
    return p.parse_args(argv)


def drawn_image(strokes, size=280):
    """The strokes drawn black on white as a PNG data URL, as a photo of a digit would come."""
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for stroke in canvas_payload(strokes, size)["strokes"]:
        points = [tuple(p) for p in stroke]
        if len(points) > 1:
            draw.line(points, fill=0, width=size // 14)
    return png_data_url(image)


def requests(records, args):
    """(name, path, JSON body) of every request, in a fixed order."""
    made = []
    for k, record in enumerate(records):
        made.append((f"digit {k}", "/api/predict", canvas_payload(record["strokes"])))
    rng = np.random.default_rng(args.seed)
    for k in range(args.numbers):
        picked = [records[i] for i in rng.choice(len(records), 2 + k % 3, replace=False)]
        made.append((f"number {k}", "/api/predict", canvas_payload(compose(picked, rng))))
    for k in range(args.images):
        made.append((f"image {k}", "/api/predict", {"image": drawn_image(records[k]["strokes"])}))
    explained = [
        (f"{name} explained", "/api/explain", body) for name, _, body in made[:: args.explain_every]
    ]
    return made + explained


def digests(records, args):
    """{request name: SHA-256 of the response's status and bytes}."""
    client = create_app({"TESTING": True}).test_client()
    found = {}
    for name, path, body in requests(records, args):
        response = client.post(path, json=body)
        found[name] = hashlib.sha256(
            f"{response.status_code} ".encode() + response.data
        ).hexdigest()
    return found


def main(argv=None):
    args = parse_args(argv)
    found = digests(load_strokes(args.strokes), args)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(found, f, indent=0)
        print(f"{len(found)} answers written to {args.out}")
        return 0
    with open(args.compare) as f:
        before = json.load(f)
    changed = sorted(
        name for name in before.keys() | found.keys() if before.get(name) != found.get(name)
    )
    for name in changed[:20]:
        print(f"differs: {name}")
    print(
        f"{len(found) - len(changed)} of {len(found)} answers byte-identical, {len(changed)} differ"
    )
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
