"""The output folder, replaced as a whole: every file of a run is written into a fresh temporary
folder beside it, which then takes its place, so a failed or interrupted run leaves the previous
outputs whole. Also one file written whole or not at all (``write_file``).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from errno import ENOSPC
from pathlib import Path

from ..errors import Interrupted, OutputError
from ..signals import held
from ..stages.reading import PAGE_SUFFIXES, is_output_folder
from .tables import COLUMNS, HISTORY_COLUMNS

FORMATS = ("json", "csv", "xlsx", "html")
# What changed since the previous run a run was given (``run --previous``): not "changes.json", the
# name ``diff --write`` suggests, so that a file a user wrote with diff is never taken for the run's.
CHANGES_FILE = "changes_since_previous.json"
# A page's history (``pipeline history``): its tables and its whole; a later run into the folder replaces them.
HISTORY_FILE = "history.json"
OUTPUT_FILES = ("partners.json", *COLUMNS, "datapackage.json", "partners.xlsx", "report.html", CHANGES_FILE,
                *HISTORY_COLUMNS, HISTORY_FILE)
# Written by evaluate about one run's outputs: not kept when a new run replaces them.
STALE_FILES = ("evaluation.json",)


def write_outputs(files: dict[str, bytes] | Iterable[tuple[str, bytes]], out_dir: Path) -> None:
    """Replace ``out_dir`` by a folder holding exactly ``files`` (a mapping, or pairs), all at once."""
    with staged(out_dir) as folder:
        for name, data in sorted(files.items()) if isinstance(files, dict) else files:
            (folder / name).write_bytes(data)


def copy_outputs(folder: Path, names: Iterable[str], out_dir: Path) -> None:
    """Replace ``out_dir`` by copies of the named files of ``folder`` (the outputs of an identical run)."""
    with staged(out_dir) as staging:
        for name in names:
            shutil.copyfile(Path(folder) / name, staging / name)


def write_file(path: Path, data: bytes) -> None:
    """One file, written whole or not at all, with the permissions the user's umask gives."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-{os.getpid()}-")
        os.fchmod(fd, 0o666 & ~umask())  # (mkstemp makes it 0600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(str(path), f"cannot be written: {exc.strerror}") from exc


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Runs into one output folder one at a time: a second run waits for the first to have replaced the
    folder and kept its outputs in the cache (two runs writing at once could save one's outputs under
    the other's key). The lock is a file beside the folder, ``.NAME.lock``, held with flock (released
    however the run ends, even by kill -9) and removed by its holder when it is done, so that it is
    not left behind: a run that got the lock on a file since removed takes it again on the new one."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        out_dir = out_dir.resolve()
    lock = out_dir.parent / f".{out_dir.name}.lock"
    while True:
        try:
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o666)
        except OSError as exc:
            raise OutputError(str(out_dir), f"cannot create the output folder: {exc.strerror}") from exc
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with suppress(OSError):
            os.unlink(lock)
        os.close(fd)


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A fresh folder beside ``out_dir`` to write into, which replaces ``out_dir`` as a whole when the
    block ends well and is removed when it does not (error, Ctrl-C, SIGTERM)."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():  # a link to the outputs: they are replaced where it points, the link stays
        out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(str(out_dir), "exists and is not a folder", "give --out a folder")
    if out_dir.is_dir():
        # The user's files are kept (see _keep_users_files); a folder of theirs says --out is not ours.
        folders = sorted(p.name for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink()
                         and not _ours(p.name))
        if folders:
            raise OutputError(str(out_dir), f"holds folders this tool did not write ({', '.join(folders[:3])})",
                              "give --out a folder of its own: the files you keep in it stay, folders may not")
        # A folder of pages that is not yet an outputs folder ("run pages --out pages") would then be read
        # with the outputs in it (report.html among them). Once it is one, a run never reads it as pages.
        pages = [] if is_output_folder(out_dir) else sorted(
            p.name for p in out_dir.iterdir() if p.name.lower().endswith(PAGE_SUFFIXES) and not _ours(p.name))
        if pages:
            raise OutputError(str(out_dir), f"holds pages ({', '.join(pages[:3])}): it is not an outputs folder",
                              "give --out a folder of its own, not the folder of the pages")
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _recover(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=parent))
        os.chmod(staging, 0o777 & ~umask())  # mkdtemp makes it 0700: colleagues could not open the outputs
    except OSError as exc:
        raise OutputError(str(out_dir), f"cannot create the output folder: {exc.strerror}") from exc
    try:
        yield staging
        _keep_users_files(out_dir, staging)
        # The user's files are linked into the new folder; the rest of the old one (the previous run's
        # outputs, evaluate's file about them) goes. The two renames are never cut apart: an interrupt
        # waits until the new folder is in place, and then says so.
        old = parent / f".{out_dir.name}.old-{os.getpid()}"
        with held():
            if out_dir.is_dir():
                os.rename(out_dir, old)
            os.rename(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(str(out_dir), f"cannot write the outputs: {exc.strerror}", full_disk_hint(exc.errno)) from exc
    except OutputError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.source and exc.source.startswith(str(staging)):
            # A writer names the file it failed on, in a folder the user never sees: name theirs.
            raise OutputError(str(out_dir), exc.problem, exc.hint) from exc
        raise
    except KeyboardInterrupt:
        if out_dir.is_dir() and not staging.exists():  # delivered as the renames ended: the new outputs are in place
            shutil.rmtree(old, ignore_errors=True)
            raise Interrupted() from None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except BaseException:  # a failed run: leave no partial folder behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        shutil.rmtree(old, ignore_errors=True)
    except KeyboardInterrupt:
        raise Interrupted() from None  # what is left of the old folder goes at the next run


def umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _keep_users_files(out_dir: Path, staging: Path) -> None:
    """Files the user keeps in the output folder (notes, a changes.json, a .gitkeep, a run.log) go on
    into the new one: hard links, so that nothing is copied and, whatever happens, the old folder
    still holds them until the swap. This run's own files, and evaluate's evaluation.json (it scored
    the previous outputs), are not kept."""
    if not out_dir.is_dir():
        return
    for entry in sorted(out_dir.iterdir()):
        if entry.name in OUTPUT_FILES or entry.name in STALE_FILES or _temporary(entry.name) \
                or (staging / entry.name).exists() or entry.is_dir() and not entry.is_symlink():
            continue
        try:
            os.link(entry, staging / entry.name, follow_symlinks=False)
        except OSError:  # a file system without hard links
            shutil.copy2(entry, staging / entry.name, follow_symlinks=False)


def full_disk_hint(errno: int | None) -> str:
    """What to do when writing failed for want of space (else nothing to add)."""
    return ("free some space, or give --out a folder on another disk; the previous outputs are left as they were"
            if errno == ENOSPC else "")


def _recover(out_dir: Path) -> None:
    """Clear what a killed run left beside the output folder, and put back a folder it was replacing."""
    leftovers = sorted(out_dir.parent.glob(f".{out_dir.name}.old-*"))
    if leftovers and not out_dir.exists():
        os.rename(leftovers.pop(), out_dir)  # killed between the two renames: the old outputs come back
    for path in [*leftovers, *out_dir.parent.glob(f".{out_dir.name}.tmp-*")]:
        pid = re.split(r"\.(?:tmp|old)-", path.name)[-1].split("-")[0]
        if path.is_dir() and not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: str) -> bool:
    """Whether the run that named a folder with this pid is still running (then its folder stays)."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except OSError:
        return False
    return True


def _temporary(name: str) -> bool:
    """The temporary file of one of this tool's files (".evaluation.json.tmp-…", left by a killed evaluate)."""
    temporary = re.match(r"\.(?P<base>.+?)\.tmp-", name)
    return bool(temporary) and (temporary.group("base") in OUTPUT_FILES or temporary.group("base") in STALE_FILES)


def _ours(name: str) -> bool:
    """A file or folder this tool writes in an output folder, or the temporary file of one."""
    return name in OUTPUT_FILES or name in STALE_FILES or _temporary(name)
