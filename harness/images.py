"""Images as clients send them: PNG bytes, and data URLs of them."""

import base64
import io


def png_bytes(image):
    """A PIL image saved as PNG."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(blob):
    """PNG bytes as the data URL /api/predict takes in "image"."""
    return "data:image/png;base64," + base64.b64encode(blob).decode("ascii")


def png_data_url(image):
    """A PIL image as a PNG data URL."""
    return data_url(png_bytes(image))
