"""Refuse a package name Python cannot import, before any file is written (full checks: next release)."""

import sys

PACKAGE_NAME = "{{ cookiecutter.package_name }}"

if not PACKAGE_NAME.isidentifier() or PACKAGE_NAME != PACKAGE_NAME.lower():
    print(f"ERROR: package_name {PACKAGE_NAME!r} must be a lowercase Python identifier", file=sys.stderr)
    sys.exit(1)
