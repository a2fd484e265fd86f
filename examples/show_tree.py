"""Print a directory as an indented tree (like the ``tree`` command, which a fresh machine may lack)."""

import sys
from pathlib import Path


def show(directory: Path, prefix: str = "") -> None:
    entries = sorted(directory.iterdir())
    for position, entry in enumerate(entries):
        last = position == len(entries) - 1
        print(f"{prefix}{'└── ' if last else '├── '}{entry.name}")
        if entry.is_dir():
            show(entry, prefix + ("    " if last else "│   "))


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "resources")
    print(root)
    show(root)
