"""Real digits by one writer, for numbers written as one person writes them."""


def writer_digits(stroke_records, labels):
    """Real digits of one writer who wrote all of these labels, in that order."""
    by_writer = {}
    for r in stroke_records:
        by_writer.setdefault(r["writer"], {}).setdefault(r["label"], r)
    for writer in sorted(by_writer):
        if all(d in by_writer[writer] for d in labels):
            return [by_writer[writer][d] for d in labels]
    raise LookupError(labels)
