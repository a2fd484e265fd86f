#!/usr/bin/env bash
# Copied unchanged (but for these two lines) from shared/poetry/use-pip-index.sh, this workplace's
# infrastructure scripts; refresh the copy from there.
# Makes `poetry lock` / `poetry install` work on these machines, for tests only.
#
#   cd COPY_OF_A_GENERATED_PROJECT && ../shared/poetry/use-pip-index.sh [python]
#
# Poetry asks the package index for PEP 691 JSON; the index these machines reach answers only with
# the HTML simple API, so poetry's default PyPI source fails ("Expecting value"). Declaring the same
# index as a plain (legacy) source works. This adds that source, with the URL pip itself uses
# (PIP_INDEX_URL, else pip's own default), to the pyproject.toml in the current directory.
# Run it on a temporary copy, never on the template: users elsewhere need no extra source.
set -euo pipefail
py=${1:-python3}
url=${PIP_INDEX_URL:-$("$py" -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')}
poetry source add --priority=primary pip-index "$url" >/dev/null
echo "poetry source pip-index -> the index pip uses"
