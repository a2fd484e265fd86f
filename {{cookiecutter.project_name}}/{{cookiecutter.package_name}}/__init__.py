"""{{ cookiecutter.package_description }}"""

from {{ cookiecutter.package_name }}.model.sample import (
    Evaluate,
    LoadIris,
    Sample,
    SplitData,
    TrainCentroids,
)

__all__ = ["Evaluate", "LoadIris", "Sample", "SplitData", "TrainCentroids"]
