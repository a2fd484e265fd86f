"""{{ cookiecutter.package_description | replace('"', "'") }}"""

from {{ cookiecutter.package_name }}.model.sample import (
    Evaluate,
    LoadIris,
    Sample,
    SplitData,
    TrainCentroids,
)

__all__ = ["Evaluate", "LoadIris", "Sample", "SplitData", "TrainCentroids"]
