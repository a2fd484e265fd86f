"""The pipeline's tasks.

``Sample`` is the smallest task. ``LoadIris`` → ``SplitData`` → ``TrainCentroids`` → ``Evaluate`` is a small
DAG that trains and scores a nearest-centroid classifier on 30 iris records shipped in the package: each
task's output is cached under ``resources/`` and reused until its parameters (or an upstream task's) change.
"""

import csv
import io
import random
from importlib import resources
from logging import getLogger
from statistics import fmean

import kartcore
import luigi

from {{ cookiecutter.package_name }}.utils.template import (
    GokartTask,
)

logger = getLogger(__name__)

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
Record = dict[str, float | str]
Centroids = dict[str, list[float]]


class Sample(GokartTask[str]):
    """Dumps a string: ``python main.py {{ cookiecutter.package_name }}.Sample --local-scheduler``."""

    def run(self) -> None:
        self.dump("sample output")


class LoadIris(GokartTask[list[Record]]):
    """Reads the iris records that ship inside the package (``data/iris.csv``)."""

    def run(self) -> None:
        text = resources.files("{{ cookiecutter.package_name }}").joinpath("data/iris.csv").read_text(encoding="utf-8")
        records: list[Record] = []
        for row in csv.DictReader(io.StringIO(text)):
            record: Record = {feature: float(row[feature]) for feature in FEATURES}
            record["species"] = row["species"]
            records.append(record)
        self.dump(records)


class SplitData(GokartTask[dict[str, list[Record]]]):
    """Shuffles the records and splits them into train and test.

    kartcore seeds ``random`` from the task's unique id before ``run()``, so the split is the same on
    every run with the same parameters.
    """

    test_ratio = luigi.FloatParameter(default=0.3)

    def requires(self) -> LoadIris:
        return LoadIris()

    def run(self) -> None:
        records = list(self.load())
        random.shuffle(records)
        test_size = max(1, round(len(records) * self.test_ratio))
        self.dump({"train": records[test_size:], "test": records[:test_size]})


class TrainCentroids(GokartTask[Centroids]):
    """Fits a nearest-centroid classifier: the mean feature vector of each species."""

    def requires(self) -> SplitData:
        return SplitData()

    def run(self) -> None:
        train: list[Record] = self.load()["train"]
        species = sorted({str(record["species"]) for record in train})
        centroids = {
            name: [fmean(float(r[feature]) for r in train if r["species"] == name) for feature in FEATURES]
            for name in species
        }
        self.dump(centroids)


class Evaluate(GokartTask[dict[str, float]]):
    """Scores the classifier on the test split; writes ``resources/evaluation/metrics_<id>.json``."""

    def requires(self) -> dict[str, luigi.Task]:
        return {"model": TrainCentroids(), "split": SplitData()}

    def output(self) -> kartcore.Target:
        return self.make_target("evaluation/metrics.json")

    def run(self) -> None:
        centroids: Centroids = self.load("model")
        test: list[Record] = self.load("split")["test"]
        correct = sum(predict(centroids, record) == record["species"] for record in test)
        metrics = {"accuracy": correct / len(test), "test_size": float(len(test))}
        logger.info("accuracy %.3f on %d test records", metrics["accuracy"], len(test))
        self.dump(metrics)


def predict(centroids: Centroids, record: Record) -> str:
    """The species whose centroid is nearest to the record (squared Euclidean distance)."""

    def distance(name: str) -> float:
        pairs = zip(FEATURES, centroids[name], strict=True)
        return sum((float(record[feature]) - centre) ** 2 for feature, centre in pairs)

    return min(centroids, key=distance)
