"""What an image costs: CPU time of /api/predict for the largest images the limits let in.

Run as `python -m bench.images`. In-process (Flask's test client, one thread), each image is
posted as an upload several times and the least CPU time kept (time.process_time: what the
request costs this process, whatever else the machine does). Beside each, a normal predict (a
280x280 PNG of a digit) in the same run: the figure to hold to the target is the extra CPU
an image costs over that. The images are a drawn seven at the size the limits allow at most:
PNG, WebP and GIF decoded whole up to MAX_DECODED_PIXELS, a JPEG of MAX_IMAGE_PIXELS decoded
at a smaller size, and images as long as MAX_IMAGE_SIDE; one past each limit shows the 413.
"""

import io
import time

from PIL import Image, ImageDraw

from bench import runner
from webapp import create_app

# (width, height, mode, format): the largest of each kind the default limits allow, then two
# the limits refuse.
IMAGES = (
    (1536, 1024, "RGB", "PNG"),
    (1536, 1024, "RGBA", "PNG"),
    (1254, 1254, "RGB", "PNG"),
    (1536, 1024, "RGB", "WEBP"),
    (1536, 1024, "P", "GIF"),
    (4000, 3000, "RGB", "JPEG"),
    (4000, 3000, "L", "JPEG"),
    (6144, 256, "L", "PNG"),
    (256, 6144, "L", "PNG"),
    (4096, 4096, "RGB", "PNG"),
    (1, 16_777_216, "L", "PNG"),
)
NORMAL = (280, 280, "L", "PNG")


def parse_args(argv=None):
    p = runner.parser("images", __doc__, strokes=False)
    p.add_argument("--repeats", type=int, default=3, help="posts of each image; the least is kept")
    return p.parse_args(argv)


def drawn(width, height, mode, fmt):
    """A seven drawn across the image, saved in this format: the bytes a client would send."""
    image = Image.new("L", (width, height), 255)
    corners = [(0.1, 0.1), (0.9, 0.1), (0.45, 0.9)]
    points = [(x * width, y * height) for x, y in corners]
    ImageDraw.Draw(image).line(points, fill=0, width=max(1, min(width, height) // 12))
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, fmt)
    return buffer.getvalue()


def cpu_ms(client, blob, repeats):
    """(least CPU ms of one upload over repeats, status, the error's code or the digit read)."""
    least = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        response = client.post(
            "/api/predict",
            data={"image": (io.BytesIO(blob), "image")},
            content_type="multipart/form-data",
        )
        least = min(least, time.process_time() - start)
    body = response.get_json()
    said = body["error"]["code"] if response.status_code != 200 else body["verdict"]
    return least * 1000, response.status_code, said


def measure(args):
    client = create_app({"TESTING": True, "MODEL_PATH": args.model}).test_client()
    normal, _, _ = cpu_ms(client, drawn(*NORMAL), args.repeats)
    rows = []
    for width, height, mode, fmt in IMAGES:
        blob = drawn(width, height, mode, fmt)
        ms, status, said = cpu_ms(client, blob, args.repeats)
        rows.append(
            {
                "image": f"{width}x{height} {mode} {fmt}",
                "bytes": len(blob),
                "cpu_ms": ms,
                "extra_ms": ms - normal,
                "status": status,
                "answer": said,
            }
        )
    allowed = [r["extra_ms"] for r in rows if r["status"] == 200]
    return {"normal_ms": normal, "images": rows, "max_extra_ms": max(allowed)}


def table(r):
    lines = [
        f"a normal predict (280x280 PNG upload): {r['normal_ms']:.1f} ms of CPU",
        "",
        "| image | size | status | CPU | beyond a normal predict |",
        "|---|---:|---|---:|---:|",
    ]
    for row in r["images"]:
        lines.append(
            f"| {row['image']} | {row['bytes'] / 1024:.0f} KB | {row['status']} {row['answer']} "
            f"| {row['cpu_ms']:.1f} ms | {row['extra_ms']:+.1f} ms |"
        )
    lines.append("")
    lines.append(f"most any image let in costs beyond a normal predict: {r['max_extra_ms']:.1f} ms")
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("images", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
