"""Gold files drafted from a run's predictions, for a person to review: ``gold draft``.

A draft has the gold file's shape (SPEC.md, "The gold file": what is judged, nothing more) and holds
every predicted partner and item, each marked ``"review": true``. The mark says that no person has
read it against the text yet: ``evaluate`` refuses a gold that still holds one, and the review page
(``outputs/review.py``) removes it from the items a reviewer accepts, corrects or adds. A draft is
the pipeline's own answer, mistakes included, until each item has been read: that is why every item
carries the mark, and why ``notes`` says so.

Also writes a gold file without ever replacing an existing one unless asked (``save``).
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from errno import EEXIST, ENOTSUP, EOPNOTSUPP, EPERM
from pathlib import Path

from ..errors import OutputError
from ..models import GOLD_ITEM_KEYS, GOLD_PARTNER_KEYS, GOLD_REVIEW, marked_for_review

GOLD_SUFFIX = ".gold.json"
PAGE_SUFFIX = ".review.html"  # the review page: the gold's name, ``.json`` replaced by this


def notes(generator: dict) -> str:
    """What a draft says about itself: who wrote it from what, and what a person must still do."""
    who = " ".join(str(generator.get(k)) for k in ("name", "version") if generator.get(k)) or "the pipeline"
    model = f" with {generator['spacy_model']}" if generator.get("spacy_model") else ""
    return (f"Draft written by {who}{model} from its own predictions, not by a person. Every partner and "
            f'item is marked "{GOLD_REVIEW}": true until a person has read it against the section\'s text and '
            "accepted, corrected or rejected it (the review page written beside this file shows the text "
            "for that); evaluate refuses the file while a mark is left. A draft inherits the pipeline's "
            "mistakes unless each item is read, and holds nothing the pipeline missed: add it.")


def draft(predictions: dict) -> dict:
    """The gold draft of a run's ``partners.json`` content about one page: every partner and every item
    marked for review, in the run's order (the review page pairs them with the predictions by position)."""
    documents = predictions.get("documents") or [{}]
    partners = predictions.get("partners") or []
    return {"source": documents[0].get("source"), "title": documents[0].get("title"),
            "notes": notes(predictions.get("generator") or {}),
            "partners": [_partner(p) for p in partners]}


def _partner(predicted: dict) -> dict:
    partner: dict = {GOLD_REVIEW: True}
    for key in GOLD_PARTNER_KEYS:
        # A gold names a date of publication only where the page gives one.
        if key != "published" or predicted.get(key):
            partner[key] = predicted.get(key)
    for field, keys in GOLD_ITEM_KEYS.items():
        partner[field] = [{GOLD_REVIEW: True, **{k: item.get(k) for k in keys}} for item in predicted.get(field) or []]
    return partner


def marks(gold: dict) -> int:
    """How many partners and items of a gold file still carry the review mark."""
    count = 0
    for partner in gold.get("partners") or []:
        count += marked_for_review(partner)
        count += sum(marked_for_review(item) for field in GOLD_ITEM_KEYS for item in partner.get(field) or [])
    return count


def items(gold: dict) -> int:
    """How many items (organisations, agreements, dates, themes) a gold file holds, partners aside."""
    return sum(len(partner.get(field) or []) for partner in gold.get("partners") or [] for field in GOLD_ITEM_KEYS)


def default_path(page: Path) -> Path:
    """Where a page's gold goes unless told: ``gold/NAME.gold.json`` beside the page, as in ``corpus/``
    (a folder's ``gold/`` is never read as input)."""
    return page.parent / "gold" / f"{page.stem}{GOLD_SUFFIX}"


def page_path(gold: Path) -> Path:
    """The review page of a gold file: ``x.gold.json`` -> ``x.gold.review.html`` (other names: the suffix added)."""
    name = gold.name[:-len(".json")] if gold.name.endswith(".json") else gold.name
    return gold.with_name(name + PAGE_SUFFIX)


def exists(path: Path) -> OutputError:
    """The error for a gold file that is there already: a person's work, never replaced unasked."""
    return OutputError(str(path), "exists already", "give --force to replace it, or another --out")


def save(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``path`` whole or not at all; an existing file is replaced only with ``force`` (the check and
    the write are one step: a file that appears meanwhile is not replaced either). Raises OutputError."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(str(path.parent), f"cannot create the folder: {exc.strerror}",
                          "check the path and its permissions") from exc
    try:
        # Created as a new file would be (the umask's permissions), unlike a mkstemp file (0600).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if force:
            os.replace(tmp, path)
        else:
            _link(tmp, path)
    except OSError as exc:
        if exc.errno == EEXIST and not force:
            raise exists(path) from exc
        raise OutputError(str(path), f"cannot be written: {exc.strerror}", "check the folder and its permissions") \
            from exc
    finally:
        with suppress(OSError):
            os.unlink(tmp)


def _link(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` unless ``path`` exists: a hard link fails if it does, whatever came
    first. A file system without hard links (some network or removable ones) gets a check, then a rename."""
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in (EPERM, ENOTSUP, EOPNOTSUPP):
            raise
        if path.exists():
            raise FileExistsError(EEXIST, "File exists", str(path)) from exc
        os.replace(tmp, path)
