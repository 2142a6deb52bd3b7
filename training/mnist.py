"""MNIST: read the four IDX files, and download them when they are missing."""

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from recognition.preprocess import FIELD

DEFAULT_DIR = "data/mnist"
ENV_DIR = "DIGITS_MNIST_DIR"

# The mirrors torchvision uses, in its order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

# SHA-256 of the decompressed files, so both the official .gz archives and
# recompressed copies verify.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension


class MnistError(Exception):
    """A missing, truncated or corrupt MNIST file: the message says which."""


def data_dir(path=None):
    """The MNIST folder: the argument, else $DIGITS_MNIST_DIR, else data/mnist."""
    return Path(path or os.environ.get(ENV_DIR) or DEFAULT_DIR)


def _read_bytes(path):
    path = Path(path)
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise MnistError(f"{path}: cannot read ({exc})") from exc


def parse_idx(raw, name, expect_magic):
    """Parse IDX bytes into a uint8 array, checking magic number and size."""
    if len(raw) < 8:
        raise MnistError(f"{name}: truncated header ({len(raw)} bytes)")
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expect_magic:
        raise MnistError(f"{name}: wrong magic number 0x{magic:08x}, expected 0x{expect_magic:08x}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistError(f"{name}: truncated header ({len(raw)} bytes)")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    size = int(np.prod(dims))
    if len(raw) - header != size:
        what = "truncated" if len(raw) - header < size else "has trailing bytes"
        raise MnistError(f"{name}: {what}: {len(raw) - header} data bytes for dimensions {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _locate(folder, name):
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    return None


def file_sha256(path):
    """SHA-256 of a file's decompressed bytes."""
    return hashlib.sha256(_read_bytes(path)).hexdigest()


def add_data_dir_option(parser):
    """--data-dir, the folder MNIST is read from, as every command that reads MNIST takes it."""
    parser.add_argument(
        "--data-dir",
        default=None,
        help=f"MNIST folder (default: ${ENV_DIR}, else {DEFAULT_DIR})",
    )


def load_split(split, folder=None, download=True, mirrors=None):
    """Return (images uint8 (N, 28, 28), labels uint8 (N,)) for 'train' or 'test'."""
    folder = data_dir(folder)
    images_name, labels_name = SPLITS[split]
    if download:
        ensure_files(folder, (images_name, labels_name), mirrors)
    arrays = []
    for name, magic in ((images_name, IMAGES_MAGIC), (labels_name, LABELS_MAGIC)):
        path = _locate(folder, name)
        if path is None:
            raise MnistError(missing_message(folder, name))
        arrays.append(parse_idx(_read_bytes(path), str(path), magic))
    images, labels = arrays
    if images.ndim != 3 or images.shape[1:] != (FIELD, FIELD):
        raise MnistError(
            f"{_locate(folder, images_name)}: dimensions {list(images.shape)}, "
            f"expected [N, {FIELD}, {FIELD}]"
        )
    if labels.shape != (images.shape[0],):
        raise MnistError(
            f"{_locate(folder, labels_name)}: {labels.shape[0]} labels for {images.shape[0]} images"
        )
    if labels.size and labels.max() > 9:
        raise MnistError(
            f"{_locate(folder, labels_name)}: label {int(labels.max())} out of range 0..9"
        )
    return images, labels


def dataset_sha256(folder=None):
    """SHA-256 over the four decompressed files in a fixed order: names the training data."""
    folder = data_dir(folder)
    digest = hashlib.sha256()
    for name in SHA256:
        path = _locate(folder, name)
        digest.update(bytes.fromhex(file_sha256(path)) if path else b"")
    return digest.hexdigest()


def missing_message(folder, name=None):
    """The one line that tells a user where to put the files."""
    which = f"{name} is missing; " if name else ""
    files = ", ".join(f"{n}.gz" for n in SHA256)
    return (
        f"{which}put the four MNIST files ({files}) in {Path(folder).resolve()} "
        f"or name their folder with --data-dir / {ENV_DIR}"
    )


def ensure_files(folder, names=tuple(SHA256), mirrors=None, timeout=30):
    """Download any of the named files that are not in folder yet."""
    folder = Path(folder)
    for name in names:
        if _locate(folder, name) is None:
            download(name, folder, mirrors, timeout)


def download(name, folder, mirrors=None, timeout=30):
    """Fetch name.gz from the first mirror that has it (default: MIRRORS), verify, write
    atomically.
    """
    folder = Path(folder)
    mirrors = MIRRORS if mirrors is None else mirrors
    failures = []
    for base in mirrors:
        url = f"{base}{name}.gz"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                blob = response.read()
            raw = gzip.decompress(blob)
        # A connection cut mid-file is an IncompleteRead (an HTTPException, not an OSError).
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            OSError,
            EOFError,
            zlib.error,
        ) as exc:
            failures.append(f"{url}: {getattr(exc, 'reason', None) or repr(exc)}")
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SHA256[name]:
            failures.append(f"{url}: checksum mismatch")
            continue
        _write_atomically(folder / f"{name}.gz", blob)
        return folder / f"{name}.gz"
    raise MnistError(
        f"could not download {name} ({'; '.join(failures)}); " + missing_message(folder)
    )


def _write_atomically(path, blob):
    """Write via a temporary file in the same folder, so a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise MnistError(f"cannot write {path} ({exc})") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
        os.replace(tmp, path)
    except BaseException as exc:
        os.unlink(tmp)
        if isinstance(exc, OSError):
            raise MnistError(f"cannot write {path} ({exc})") from exc
        raise
