"""Refuse a package name Python cannot import, before any file is written (full checks: next release)."""

import sys


def main(package_name: str) -> int:
    if not package_name.isidentifier() or package_name.lower() != package_name:
        print(f"ERROR: package_name {package_name!r} must be a lowercase Python identifier", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main("{{ cookiecutter.package_name }}"))
