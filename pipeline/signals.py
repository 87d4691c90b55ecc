"""Forking with the interrupting signals held, so that Ctrl-C or SIGTERM is never lost.

A signal that arrives while ``os.fork`` runs its at-fork handlers (logging's, for one) is raised
inside them, where Python reports it as ignored: the run would go on and replace the outputs. Held
while forking, the signal is delivered right after, where it interrupts the run as it should. A
forked child calls ``release`` first, so that it can itself be stopped.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextmanager
def held() -> Iterator[None]:
    """Interrupting signals wait until the block is over (then they are delivered)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release() -> None:
    """In a forked child: leave interrupts to the parent, which stops its children itself. Ctrl-C at
    a terminal, sent to the whole process group, is ignored here; SIGTERM (the parent's ``terminate``)
    ends the child at once. Then take signals again (the child inherited the parent's mask). The child
    dies with its parent: a parent killed with SIGKILL cannot stop it, so the kernel does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)


_PR_SET_PDEATHSIG = 1  # prctl(2)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies; if the parent is already gone, go now."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's own stopping is all there is
        return
    if os.getppid() != parent or parent == 1:
        os._exit(1)
