"""Optional cloud libraries, imported on use with an error that says what to install."""

from __future__ import annotations

from typing import Any

#: What each of gokart's extras installs, and the command in gokart's terms and ours.
EXTRAS = {
    "s3": ("boto3", "pip install boto3"),
    "gcs": ("google-auth and google-api-python-client", "pip install google-auth google-api-python-client"),
}


def require(module: str, extra: str) -> Any:
    """Import ``module`` (part of gokart's ``extra``) or raise ImportError naming the packages to install."""
    try:
        return __import__(module, fromlist=["__name__"])  # the import statement's hook, as gokart's `import boto3`
    except ImportError:
        packages, command = EXTRAS[extra]
        raise ImportError(
            f"{extra.upper()} support needs {packages} (what `pip install gokart[{extra}]` installed with gokart): "
            f"{command}"
        ) from None
