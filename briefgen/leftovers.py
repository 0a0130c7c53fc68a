"""What a process leaves in the temporary folder, named after it: removed by a later one
once the process that made it is gone (killed before it could remove its own)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile


def alive(pid: int) -> bool:
    """Whether a process of that number runs (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def private_folder(prefix: str) -> str:
    """A new folder in the temporary folder, ``<prefix><pid>-<random>``, for this process."""
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")


def remove_abandoned(prefix: str) -> None:
    """The folders of ``private_folder(prefix)`` whose process is gone: this user's only."""
    name = re.compile(re.escape(prefix) + r"(\d+)-\w+")
    with contextlib.suppress(OSError), os.scandir(tempfile.gettempdir()) as entries:
        for entry in entries:
            found = name.fullmatch(entry.name)
            if found is None or not entry.is_dir(follow_symlinks=False) \
                    or entry.stat(follow_symlinks=False).st_uid != os.getuid() \
                    or len(found.group(1)) > 9 or alive(int(found.group(1))):
                continue  # (a number no process has: not a folder of briefgen's)
            shutil.rmtree(entry.path, ignore_errors=True)
