"""Numbers: a drawing's strokes (or an image's ink) grouped into digits, by geometry alone.

propose() lays the parts out and lists every run of pieces that might be one
digit; the reader (recognition.numbers) renders each once and has the
classifier read them all in one call; choose() weighs the groupings by those
readings and the geometry below. Segment itself neither renders nor classifies.

A stroke that lies within another's width, well inside it, is always in the
same digit (a 4's two strokes, a 7's bar, a 0's slash, a 5's top bar, written
before or after the next digit). What is left is ordered left to right as
pieces, and every way of cutting that row into digits of at most MAX_PIECES pieces
is scored. Each digit scores the log of the model's probability of its
likeliest digit (which counts the chance that the group is no digit at all; the
whole drawing may also read as "not a digit", so a letter stays whole and is
rejected rather than cut into digit-like pieces), less a penalty where
neighbouring digits overlap, where a digit's own parts stand apart, where a
"digit" is much shorter than the tallest part (a flag or a bar on its own) or
stands well above its neighbours (a 4's corner beside its stem), plus a small
bonus, so that two parts that each read well are two digits rather than one
thick one. A cut's overlap is ink beside ink, row by row (slanted digits' boxes
overlap, their ink not). The best whole reading wins (dynamic programming, not
a greedy cut). How far it beats reading the whole drawing as one thing is kept
(choose's apart): an H read as "14" wins by a hair, and the answer should say it
is unsure.
"""

from dataclasses import dataclass

import numpy as np

MAX_DIGITS = 12
MAX_PIECES = 3  # a digit is at most this many pieces (a flagged 1 with a foot: stem+flag, foot)
SPLIT_OVERLAP_COST = 6.0  # log-penalty per unit of overlap between two digits side by side
GAP_COST = 4.0  # log-penalty per drawing-height of space between the parts of one digit
# parts of one digit overlap sideways by at least this share of the height, or pay for it
TOUCH = 0.05
# log prior for each digit: two parts that each read well are two digits, not one thick one
DIGIT_BONUS = 0.5
# log-penalty per drawing-height a digit's foot stands above its neighbour's, past SINK
SINK_COST = 8.0
SINK = 0.15  # digits side by side stand on one line, give or take this share of the height
# log-penalty per tallest part's height a digit falls short of SMALL (a flag alone, a bar)
SMALL_COST = 8.0
# digits of a number are about as tall as each other: shorter than this share of the tallest part
SMALL = 0.75
# drawing-heights of empty space no one digit holds: such groups are not even read
MAX_INNER_GAP = 0.3
# rows of the drawing in which ink beside ink is measured (slanted digits' boxes overlap, their ink
# not)
BANDS = 12


class TooManyDigits(ValueError):
    """The drawing holds more digits than a number may have."""


def _boxes(parts):
    """(n, 4) x0, y0, x1, y1 of each part (a stroke's points, or a component's pixel
    coordinates).
    """
    return np.array([np.concatenate([p.min(axis=0), p.max(axis=0)]) for p in parts], dtype=float)


def _inside(a, b, pad, depth):
    """Whether the narrower of two x-extents lies within the other (widened by pad), its centre
    depth from the edge.
    """
    narrow, wide = (a, b) if a[2] - a[0] <= b[2] - b[0] else (b, a)
    centre = (narrow[0] + narrow[2]) / 2
    return (
        narrow[0] >= wide[0] - pad
        and narrow[2] <= wide[2] + pad
        and wide[0] + depth <= centre <= wide[2] - depth
    )


def _rows(parts, piece_list, top, height, lines):
    """Each piece's leftmost and rightmost ink in each of BANDS rows: (lo, hi), (pieces, BANDS),
    +-inf where none.
    """
    # owner[i]: the piece that part i belongs to.
    owner = np.empty(len(parts), dtype=int)
    for piece, members in enumerate(piece_list):
        owner[members] = piece
    sizes = [len(p) for p in parts]
    points, who = np.concatenate(parts), np.repeat(owner, sizes)
    # a pen line passes every row between its points: fill in steps longer than half a row
    if lines:
        part = np.repeat(np.arange(len(parts)), sizes)
        a, b, w = points[:-1], points[1:], who[:-1]
        n = np.where(
            part[1:] == part[:-1], np.ceil(np.abs(b[:, 1] - a[:, 1]) * (2 * BANDS / height)), 0
        ).astype(int)
        n[n < 2] = 0  # steps within half a row have their rows already
        step = np.repeat(np.arange(len(n)), n)
        t = (np.arange(len(step)) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
        points = np.concatenate([points, a[step] + (b[step] - a[step]) * t[:, None]])
        who = np.concatenate([who, w[step]])
    key = who * BANDS + np.clip(((points[:, 1] - top) * (BANDS / height)).astype(int), 0, BANDS - 1)
    lo, hi = np.full(len(piece_list) * BANDS, np.inf), np.full(len(piece_list) * BANDS, -np.inf)
    np.minimum.at(lo, key, points[:, 0])
    np.maximum.at(hi, key, points[:, 0])
    return lo.reshape(-1, BANDS), hi.reshape(-1, BANDS)


def pieces(boxes, height):
    """Parts that are surely one digit, merged: lists of part indices, ordered left to right."""
    # A stroke within another's width and well inside it (a 4's stem, a 7's bar, a 0's slash); a
    # digit that only touches or slightly overlaps its neighbour (a thin 1 beside a 7) is left to
    # the scoring.
    pad, depth = 0.04 * height, 0.08 * height
    parent = list(range(len(boxes)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if _inside(boxes[i], boxes[j], pad, depth):
                parent[root(i)] = root(j)
    groups = {}
    for i in range(len(boxes)):
        groups.setdefault(root(i), []).append(i)
    merged = list(groups.values())
    return sorted(merged, key=lambda g: (boxes[g, 0].min() + boxes[g, 2].max()) / 2)


def _union(boxes, indices):
    b = boxes[indices]
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _inner_gap(piece_boxes):
    """Widest horizontal space between these pieces (boxes, one row each), in the drawing's
    coordinates (< 0: they overlap).
    """
    spans = sorted(piece_boxes[:, [0, 2]].tolist())
    reach, gap = spans[0][1], -np.inf
    for x0, x1 in spans[1:]:
        gap = max(gap, x0 - reach)
        reach = max(reach, x1)
    return gap


def best_grouping(scores, overlaps, n, height):
    """Cut the row of n pieces into digits: (list of (start, end) piece ranges, total score).

    scores[(start, end)]: log-probability of the likeliest reading of pieces start..end-1 as one;
    overlaps[(start, end)]: how far the ink before start reaches over these pieces' (0: not at all).
    """
    best = [(-np.inf, None)] * (n + 1)
    best[0] = (0.0, None)
    for end in range(1, n + 1):
        for start in range(max(0, end - MAX_PIECES), end):
            if (start, end) not in scores or best[start][0] == -np.inf:
                continue
            total = best[start][0] + scores[(start, end)]
            if start > 0:  # a cut between this digit and the one before: they should not overlap
                total -= SPLIT_OVERLAP_COST * overlaps[(start, end)] / height
            if total > best[end][0]:
                best[end] = (total, start)
    cuts, end = [], n
    while end > 0:
        start = best[end][1]
        cuts.append((start, end))
        end = start
    return cuts[::-1], best[n][0]


@dataclass
class Layout:
    """What the penalties know of the drawing as a whole."""

    piece_boxes: np.ndarray  # (pieces, 4): each piece's x0, y0, x1, y1, left to right
    height: float  # the drawing's height (at least a tenth of its width)
    # The tallest part's height: a number written uphill is taller than any digit in it.
    digit_height: float


@dataclass
class Candidate:
    """Pieces start..end-1 read as one digit: one cell of the grouping's table. Segment proposes
    it; the reader (recognition.numbers) renders its members and gives it the classifier's
    probabilities, which choose() scores."""

    start: int
    end: int
    # Widest empty space between its pieces, in drawing-heights; None for a single piece.
    gap: float | None
    members: list | None = None  # the indices of the parts it holds, in drawing order
    box: np.ndarray | None = None  # its x0, y0, x1, y1
    pixels: np.ndarray | None = None  # its 28x28 input (None: no ink to read)
    probabilities: np.ndarray | None = None  # the classifier's, for its pixels

    @property
    def span(self):
        return (self.start, self.end)


def candidates(layout, count):
    """Every run of at most MAX_PIECES neighbouring pieces that might be one digit.

    Runs holding more empty space than MAX_INNER_GAP are not even read: no one digit holds it.
    """
    found = []
    for end in range(1, count + 1):
        for start in range(max(0, end - MAX_PIECES), end):
            gap = None
            if end - start > 1:
                gap = _inner_gap(layout.piece_boxes[start:end]) / layout.height
            if gap is None or gap <= MAX_INNER_GAP:
                found.append(Candidate(start, end, gap))
    return found


def likeliest(candidate, whole_span):
    """The log-probability of the candidate's likeliest reading: its likeliest digit, or, for the
    whole drawing only, "not a digit" (a letter is better left whole and rejected than cut into
    digit-like pieces)."""
    p = candidate.probabilities
    best = p[:10].max()
    if candidate.span == whole_span and len(p) > 10:
        best = max(best, p[10])
    return float(np.log(max(best, 1e-12)))


def spread_penalty(candidate):
    """Parts of one digit overlap sideways: parts that only touch or stand apart are charged from
    TOUCH of the height on (two 1s side by side read as one thick 1 almost as surely as each reads
    as a 1)."""
    if candidate.gap is None:
        return GAP_COST * 0.0
    return GAP_COST * max(0.0, candidate.gap + TOUCH)


def small_penalty(candidate, layout):
    """A "digit" much shorter than the tallest part is a flag or a bar on its own."""
    boxes = layout.piece_boxes[candidate.start : candidate.end]
    tall = np.ptp(boxes[:, [1, 3]]) / layout.digit_height
    return SMALL_COST * max(0.0, SMALL - tall)


def sunk_penalty(candidate, layout):
    """A digit whose foot hangs well above its neighbours' is part of one (a 4's corner beside its
    stem)."""
    boxes = layout.piece_boxes
    foot = boxes[candidate.start : candidate.end, 3].max()
    sunk = 0.0
    for neighbour in (candidate.start - 1, candidate.end):
        if 0 <= neighbour < len(boxes):
            sunk = max(sunk, (boxes[neighbour, 3] - foot) / layout.height - SINK)
    return SINK_COST * sunk


def score(candidate, layout, whole_span):
    """The candidate's log-score as one digit: its likeliest reading, a bonus for being a digit,
    less each penalty."""
    return (
        likeliest(candidate, whole_span)
        + DIGIT_BONUS
        - spread_penalty(candidate)
        - small_penalty(candidate, layout)
        - sunk_penalty(candidate, layout)
    )


def cut_overlaps(parts, row, layout, spans, top, lines):
    """{(start, end): how far the ink before start reaches over the ink of start..end-1}.

    Measured row by row (slanted digits' boxes overlap, their ink not); the boxes bound it, so the
    rows are only measured where the boxes overlap at all.
    """
    boxes = layout.piece_boxes
    overlaps = {
        (s, e): max(0.0, boxes[:s, 2].max() - boxes[s:e, 0].min()) for s, e in spans if s > 0
    }
    if not any(overlaps.values()):
        return overlaps
    lo, hi = _rows(parts, row, top, layout.height, lines)
    # reach[k]: the ink of pieces 0..k, row by row
    reach = np.maximum.accumulate(hi, axis=0)
    for (s, e), box in overlaps.items():
        # Per row; -inf where either has no ink.
        over = reach[s - 1] - lo[s:e].min(axis=0)
        over = over[np.isfinite(over)]
        if len(over) and box:
            overlaps[(s, e)] = max(0.0, over.max())
    return overlaps


def best_digits(parts, row, layout, table, top, lines):
    """(the candidates of the best grouping, left to right; apart) for a row of several pieces
    whose candidates are read."""
    whole_span = (0, len(row))
    scores = {c.span: score(c, layout, whole_span) for c in table}
    overlaps = cut_overlaps(parts, row, layout, scores.keys(), top, lines)
    cuts, total = best_grouping(scores, overlaps, len(row), layout.height)
    if len(cuts) > MAX_DIGITS:
        raise TooManyDigits(
            f"the drawing holds {len(cuts)} digits; a number may have at most {MAX_DIGITS}"
        )
    chosen = {c.span: c for c in table}
    digits = [chosen[cut] for cut in cuts]
    # Two readings' chances stand as the exponents of their scores; one that is not even read has
    # none.
    if len(cuts) == 1 or whole_span not in scores:
        return digits, 1.0
    return digits, float(1 / (1 + np.exp(scores[whole_span] - total)))


@dataclass
class Proposal:
    """A drawing's parts laid out left to right as pieces, and every run of pieces that might be
    one digit (Candidate), each to be read before choose() weighs the groupings."""

    parts: list
    row: list  # pieces: lists of part indices, left to right
    layout: Layout
    candidates: list
    top: float  # the drawing's topmost coordinate
    lines: bool  # parts are pen lines in drawing order (else ink pixels)

    @property
    def whole_span(self):
        """The span of the candidate that holds the whole drawing."""
        return (0, len(self.row))


def propose(parts, lines=True):
    """Parts ((n, 2) point arrays: pen lines in drawing order, else ink pixels) -> a Proposal.
    TooManyDigits where no grouping keeps to MAX_DIGITS."""
    boxes = _boxes(parts)
    ys = np.concatenate(parts)[:, 1]
    height = max(np.ptp(ys), np.ptp(boxes[:, [0, 2]]) * 0.1, 1e-9)
    row = pieces(boxes, height)
    if len(row) > MAX_DIGITS * MAX_PIECES:
        # More than 12 digits whatever the grouping: say so before reading.
        raise TooManyDigits(
            f"the drawing holds more than {MAX_DIGITS} digits; a number may have at most "
            f"{MAX_DIGITS}"
        )
    layout = Layout(
        piece_boxes=np.array([_union(boxes, piece) for piece in row]),
        height=height,
        digit_height=max(np.ptp(boxes[:, [1, 3]], axis=1).max(), 1e-9),
    )
    found = candidates(layout, len(row))
    for candidate in found:
        candidate.members = sorted(
            i for piece in row[candidate.start : candidate.end] for i in piece
        )
        candidate.box = _union(layout.piece_boxes, range(candidate.start, candidate.end))
    return Proposal(parts, row, layout, found, float(ys.min()), lines)


def choose(proposal, read):
    """The best grouping of a proposal into digits: (its candidates, left to right; apart, the
    chance by the scores that the drawing is these digits rather than one thing).

    read: the proposal's candidates that hold ink, each with its probabilities.
    """
    if len(proposal.row) == 1:
        # One piece (most single digits) can only be one digit: no grouping to weigh.
        return read, 1.0
    return best_digits(
        proposal.parts, proposal.row, proposal.layout, read, proposal.top, proposal.lines
    )
