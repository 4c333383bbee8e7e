"""Output files that appear whole or not at all.

A job writes each output to a hidden temporary file next to its target and
renames it into place only when the job has finished. Whatever stops the job
(an error, Ctrl-C, `kill -TERM`, `timeout`, even `kill -9`) cannot leave a
file at the target's name that looks complete: a CSV cut at a row boundary or
a Parquet file without its footer. The rename is atomic on one file system,
which is why the temporary file lives in the target's own directory.

Over an older file of that name the rename takes longer on ext4 (70-85 ms at
the end of a 1 M-row job run again into the same file): its replace-by-rename
safeguard (`auto_da_alloc`) has the new file's data written before the rename
is recorded, so that after a power cut the name holds the old file or the new
one, never an empty one. Swapping the two names instead (`renameat2` with
`RENAME_EXCHANGE`) and removing the older file skips that safeguard: that
speed is not worth both files.

>>> from tempfile import TemporaryDirectory
>>> with TemporaryDirectory() as folder:
...     staged = StagedFile(Path(folder) / "calls.normalized.csv")
...     _ = staged.temporary.write_text("a,b\\n")
...     before = staged.target.exists()
...     staged.commit()
...     (before, staged.target.read_text())
(False, 'a,b\\n')
>>> StagedFile(Path("/no/such/folder/out.csv"))
Traceback (most recent call last):
...
normalizer.errors.DialplanInputError: /no/such/folder/out.csv: cannot write: No such file or directory
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from normalizer.errors import DialplanInputError

UNFINISHED_SUFFIX = ".unfinished"
"""The temporary file's suffix: what a job killed outright leaves says what it is."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class StagedFile:
    """A temporary file next to `target`, renamed onto it by `commit`, removed by `discard`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            handle, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=UNFINISHED_SUFFIX, dir=target.parent or None
            )
        except OSError as exc:
            raise DialplanInputError(f"cannot write: {exc.strerror}", file=str(target)) from None
        os.close(handle)
        self.temporary = Path(name)
        # mkstemp makes the file private (0600); the output gets the mode a plain open would give.
        os.chmod(self.temporary, 0o666 & ~_umask())

    def open_binary(self) -> BinaryIO:
        """The temporary file, open for writing from its start.

        Opened without truncating it (it is new and empty): ext4 writes a file
        that was truncated and then written out to disk when it is closed,
        which held the end of a 1 M-row job for 35-70 ms.
        """
        return open(self.temporary, "r+b")

    def commit(self) -> None:
        """Put the finished file in place (replacing an older one of that name)."""
        try:
            os.replace(self.temporary, self.target)
        except OSError as exc:
            self.discard()
            raise DialplanInputError(f"cannot write: {exc.strerror}", file=str(self.target)) from None

    def discard(self) -> None:
        """Remove the temporary file, if it is still there."""
        try:
            self.temporary.unlink()
        except FileNotFoundError:
            pass
