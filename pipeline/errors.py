"""The project's own errors: each carries the file it is about and one line saying what to do.

The CLI turns them into a single line on stderr and an exit code; nothing else in the package
prints or exits.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class. ``exit_code`` is what the CLI returns when this error stops a run."""

    exit_code = 3

    def __init__(self, source: str | None, problem: str, hint: str = "") -> None:
        self.source = source
        self.problem = problem
        self.hint = hint
        super().__init__(self.line())

    def __reduce__(self):  # picklable, so that a worker process can hand it to the run
        return (type(self), (self.source, self.problem, self.hint))

    def line(self) -> str:
        where = f"{self.source}: " if self.source else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.problem}{hint}"


class InputError(PipelineError):
    """The input cannot be used: missing, empty, not a page, undecodable, no sections."""

    exit_code = 2


class OutputError(PipelineError):
    """The outputs cannot be written where asked."""

    exit_code = 3


class ResourceError(PipelineError):
    """A resource file (pipeline/resources/, or the folder given with --resources) is missing or broken."""

    exit_code = 3


class Interrupted(KeyboardInterrupt):
    """An interrupt (Ctrl-C, SIGTERM) that came once the new outputs were in place: they are complete."""


class ModelError(PipelineError):
    """The spaCy model is not installed or cannot be loaded."""

    exit_code = 3
