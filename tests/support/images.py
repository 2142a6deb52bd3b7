"""Images as the tests read them: one whole image to the 28x28 the model would see."""

from recognition import preprocess


def image_input(image):
    """A PIL image (any mode or size; dark-on-light, light-on-dark or on transparency) -> 28x28
    uint8, or None: the whole ink normalised as one digit, as preprocess does for the server's
    images before it looks for their digits."""
    ink, _ = preprocess.working_ink(image)
    if ink is None:
        return None
    return preprocess.normalize(ink)
