"""Reading the files of a source tree safely: regular files inside the tree, never a hang.

A FIFO would block the build forever, a device could stream without end, a directory named
`x.yaml` or an unreadable file would raise; a symlink could pull in a file from anywhere. Each
of these becomes a problem naming the file instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Mark, Problem

MAX_BYTES = 2_000_000

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def read_bytes(
    path: Path, name: str, tree: Path | None = None, max_bytes: int = MAX_BYTES
) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file, or a problem at `name`:1:1. A symlink must stay in `tree`."""

    def problem(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(Mark(name, 1, 1), message)]

    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            target = path.resolve()
            if tree is not None and not target.is_relative_to(tree.resolve()):
                return problem(
                    f"is a symbolic link to {target}, outside the source tree; "
                    "copy the file into the tree instead"
                )
            info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            return problem(
                f"is {kind}, not a regular file; remove it or rename it so it does not end in .yaml"
            )
        if info.st_size > max_bytes:
            return problem(
                f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte "
                "limit; split it into smaller files"
            )
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            return fh.read(max_bytes + 1), []
    except FileNotFoundError:
        return problem("no such file")
    except PermissionError:
        return problem("cannot be read (permission denied); fix its permissions")
    except OSError as err:
        return problem(f"cannot be read ({err.strerror or err}); check the file")
