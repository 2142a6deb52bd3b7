"""The soak's measure of a process's own memory: what it allocates counts, shared memory that it
alone happens to map does not (PostgreSQL's checkpointer looked 8 MB bigger so)."""

import mmap
import os

from harness.topology import private_kib, rss_kib

SIZE = 32 * 1024 * 1024


def touched(buffer):
    for offset in range(0, len(buffer), 4096):
        buffer[offset] = 1
    return buffer


def test_private_memory_counts_what_the_process_allocates_and_not_shared_memory():
    pid = os.getpid()
    before_private, before_resident = private_kib(pid), rss_kib(pid)
    shared = touched(mmap.mmap(-1, SIZE))  # MAP_SHARED: as PostgreSQL's buffer cache is
    try:
        assert rss_kib(pid) - before_resident >= SIZE // 1024 * 0.9
        assert private_kib(pid) - before_private < SIZE // 1024 * 0.1
        # A private anonymous mapping, not a bytearray: after a long test run the allocator
        # may hand a bytearray pages the process already holds, which adds nothing.
        own = touched(mmap.mmap(-1, SIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS))
        try:
            assert private_kib(pid) - before_private >= SIZE // 1024 * 0.9
        finally:
            own.close()
    finally:
        shared.close()


def test_a_process_that_is_gone_has_none():
    assert private_kib(2**22 + 12345) == 0
