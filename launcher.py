"""Entry script for the packaged program (build.spec builds both ``dangjian`` and ``dangjian-cli`` from it).

PyInstaller runs its script as a top-level ``__main__``, so ``app/__main__.py`` (which is a
package module) cannot be the script itself; this file imports its ``main`` instead.
From a source checkout, ``python launcher.py ...`` behaves like ``python -m app ...``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys

LOG_NAME = "dangjian.log"
LOG_LIMIT = 1_000_000  # bytes; a longer log starts afresh


def _open_log():
    """The windowed program's stdout/stderr: a log file in the user data folder, else os.devnull."""
    try:
        from app.paths import user_data_dir

        folder = user_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        mode = "w" if path.exists() and path.stat().st_size > LOG_LIMIT else "a"
        return open(path, mode, encoding="utf-8", errors="replace", buffering=1)  # noqa: SIM115 - lives as long as the process
    except Exception:  # never let the log stop the program from starting
        return open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _ensure_streams() -> None:
    """A windowed program (console=False on Windows) has sys.stdout/sys.stderr set to None: print() would fail."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    log = _open_log()
    # The file descriptors 1 and 2 are closed too: point them at the log, so that Qt's own messages
    # (written by C code to fd 2) land there and no file opened later (say, the database) gets fd 1 or 2.
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.dup2(log.fileno(), fd)
    if sys.stdout is None:
        sys.stdout = log
    if sys.stderr is None:
        sys.stderr = log


def run() -> int:
    _ensure_streams()
    from app.__main__ import main

    return main()


if __name__ == "__main__":
    multiprocessing.freeze_support()  # must come first: a frozen child process stops here
    sys.exit(run())
