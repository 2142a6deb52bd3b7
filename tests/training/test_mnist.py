"""The IDX reader and the downloader (against a local HTTP server)."""

import gzip
import hashlib
import http.server
import os
import threading

import numpy as np
import pytest

from tests.support.data import MNIST_DIR, write_idx
from training import mnist


def write_split(folder, n=12, gz=True):
    images = np.arange(n * 28 * 28, dtype=np.uint32).reshape(n, 28, 28) % 256
    labels = np.arange(n) % 10
    write_idx(folder / f"train-images-idx3-ubyte{'.gz' if gz else ''}", images, gz)
    write_idx(folder / f"train-labels-idx1-ubyte{'.gz' if gz else ''}", labels, gz)
    return images.astype(np.uint8), labels.astype(np.uint8)


@pytest.mark.parametrize("gz", [True, False])
def test_reads_gzipped_and_raw_idx(tmp_path, gz):
    images, labels = write_split(tmp_path, gz=gz)
    got_images, got_labels = mnist.load_split("train", tmp_path, download=False)
    assert got_images.shape == (12, 28, 28) and got_images.dtype == np.uint8
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_wrong_magic_names_the_file(tmp_path):
    write_split(tmp_path, gz=False)
    path = tmp_path / "train-labels-idx1-ubyte"
    raw = bytearray(path.read_bytes())
    raw[3] = 0x03  # claims 3 dimensions: an images file in the labels' place
    path.write_bytes(bytes(raw))
    with pytest.raises(mnist.MnistError, match="train-labels-idx1-ubyte.*wrong magic number"):
        mnist.load_split("train", tmp_path, download=False)


def test_truncated_file_is_one_clear_error(tmp_path):
    write_split(tmp_path, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(mnist.MnistError, match="train-images-idx3-ubyte: truncated"):
        mnist.load_split("train", tmp_path, download=False)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2] + b"\0" * (len(b) - len(b) // 2),
        # bad deflate data: a zlib.error
        lambda b: b[:10] + b"\xff" * 40,
    ],
)
def test_corrupt_gzip_is_one_clear_error(tmp_path, damage):
    write_split(tmp_path, gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(mnist.MnistError, match="train-images-idx3-ubyte.gz: cannot read"):
        mnist.load_split("train", tmp_path, download=False)


def test_label_out_of_range(tmp_path):
    write_split(tmp_path, gz=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.full(12, 11))
    with pytest.raises(mnist.MnistError, match="label 11 out of range"):
        mnist.load_split("train", tmp_path, download=False)


def test_count_mismatch(tmp_path):
    write_split(tmp_path, gz=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(5))
    with pytest.raises(mnist.MnistError, match="5 labels for 12 images"):
        mnist.load_split("train", tmp_path, download=False)


def test_missing_files_offline_says_where_to_put_them(tmp_path):
    dead = ["http://127.0.0.1:9/"]  # port 9 (discard): nothing listens, refused at once
    with pytest.raises(mnist.MnistError) as info:
        mnist.load_split("train", tmp_path / "nowhere", mirrors=dead)
    message = str(info.value)
    assert "could not download train-images-idx3-ubyte" in message
    assert str((tmp_path / "nowhere").resolve()) in message and "--data-dir" in message


@pytest.fixture()
def mirror_server():
    """Two local 'mirrors' serving from dicts {name: bytes, or (bytes, claimed length)}; records
    what was asked.
    """
    served = {"a": {}, "b": {}}
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            mirror, _, name = self.path.strip("/").partition("/")
            requests.append(self.path)
            blob = served.get(mirror, {}).get(name)
            if blob is None:
                self.send_error(404)
                return
            # A claimed length beyond the bytes sent: the connection is cut mid-file.
            blob, length = blob if isinstance(blob, tuple) else (blob, len(blob))
            self.send_response(200)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(blob)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield served, [f"{base}/a/", f"{base}/b/"], requests
    server.shutdown()
    server.server_close()


def fake_labels_file(monkeypatch):
    """A small labels file, registered as the expected checksum of the real name."""
    blob = (0x0801).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes([1, 2, 3])
    monkeypatch.setitem(mnist.SHA256, "t10k-labels-idx1-ubyte", hashlib.sha256(blob).hexdigest())
    return blob


def test_download_success_writes_verified_file(tmp_path, mirror_server, monkeypatch):
    served, mirrors, _ = mirror_server
    blob = fake_labels_file(monkeypatch)
    served["a"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(blob)
    path = mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert path == tmp_path / "t10k-labels-idx1-ubyte.gz"
    assert gzip.decompress(path.read_bytes()) == blob
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_download_falls_back_after_404(tmp_path, mirror_server, monkeypatch):
    served, mirrors, requests = mirror_server
    blob = fake_labels_file(monkeypatch)
    served["b"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(blob)
    path = mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert requests == ["/a/t10k-labels-idx1-ubyte.gz", "/b/t10k-labels-idx1-ubyte.gz"]
    assert gzip.decompress(path.read_bytes()) == blob


def test_checksum_mismatch_is_refused_and_nothing_written(tmp_path, mirror_server, monkeypatch):
    served, mirrors, _ = mirror_server
    fake_labels_file(monkeypatch)
    bad = (0x0801).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes([9, 9, 9])
    served["a"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(bad)
    served["b"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(bad)
    with pytest.raises(mnist.MnistError, match="checksum mismatch"):
        mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert list(tmp_path.iterdir()) == []


def test_checksum_mismatch_on_first_mirror_falls_back(tmp_path, mirror_server, monkeypatch):
    served, mirrors, _ = mirror_server
    blob = fake_labels_file(monkeypatch)
    served["a"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(blob[:-1] + b"\x07")
    served["b"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(blob)
    path = mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert gzip.decompress(path.read_bytes()) == blob


def test_download_cut_off_mid_file_falls_back_to_the_next_mirror(
    tmp_path, mirror_server, monkeypatch
):
    served, mirrors, requests = mirror_server
    blob = fake_labels_file(monkeypatch)
    whole = gzip.compress(blob)
    served["a"]["t10k-labels-idx1-ubyte.gz"] = (whole[:5], len(whole))
    served["b"]["t10k-labels-idx1-ubyte.gz"] = whole
    path = mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert requests == ["/a/t10k-labels-idx1-ubyte.gz", "/b/t10k-labels-idx1-ubyte.gz"]
    assert gzip.decompress(path.read_bytes()) == blob


def test_download_cut_off_everywhere_is_one_clear_error(tmp_path, mirror_server, monkeypatch):
    served, mirrors, _ = mirror_server
    whole = gzip.compress(fake_labels_file(monkeypatch))
    served["a"]["t10k-labels-idx1-ubyte.gz"] = served["b"]["t10k-labels-idx1-ubyte.gz"] = (
        whole[:5],
        len(whole),
    )
    with pytest.raises(mnist.MnistError, match="IncompleteRead") as info:
        mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert "\n" not in str(info.value) and list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_temporary_file(tmp_path, mirror_server, monkeypatch):
    served, mirrors, _ = mirror_server
    served["a"]["t10k-labels-idx1-ubyte.gz"] = gzip.compress(fake_labels_file(monkeypatch))
    renamed = []

    def disk_full(src, dst):
        renamed.append(src)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mnist.os, "replace", disk_full)
    with pytest.raises(mnist.MnistError, match="cannot write .*No space left on device"):
        mnist.download("t10k-labels-idx1-ubyte", tmp_path, mirrors)
    assert len(renamed) == 1 and renamed[0].endswith(".part")  # the temporary file was written...
    assert list(tmp_path.iterdir()) == [] and not os.path.exists(renamed[0])  # ...and removed


def test_real_files_verify_against_the_known_checksums(mnist_test):
    for name, digest in mnist.SHA256.items():
        assert mnist.file_sha256(MNIST_DIR / f"{name}.gz") == digest
