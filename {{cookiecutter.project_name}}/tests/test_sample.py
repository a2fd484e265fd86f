"""Unit tests: each task runs for real with kartcore.build() in a temporary workspace."""

from pathlib import Path

import kartcore
import pytest

from {{ cookiecutter.package_name }}.model.sample import (
    FEATURES,
    Evaluate,
    LoadIris,
    Record,
    Sample,
    SplitData,
    TrainCentroids,
    predict,
)


def outputs(workspace: Path, task: str) -> list[Path]:
    """The cached outputs of one task class (run records under log/ left out)."""
    return sorted((workspace / "{{ cookiecutter.package_name }}" / "model" / "sample").glob(f"{task}_*.pkl"))


def test_sample_dumps_its_output(workspace: Path) -> None:
    assert kartcore.build(Sample()) == "sample output"
    assert len(outputs(workspace, "Sample")) == 1


def test_load_iris_reads_the_packaged_data() -> None:
    records = kartcore.build(LoadIris())
    assert len(records) == 30
    assert {record["species"] for record in records} == {"setosa", "versicolor", "virginica"}
    assert all(isinstance(record[feature], float) for record in records for feature in FEATURES)


def test_split_data_is_disjoint_sized_and_reproducible() -> None:
    split = kartcore.build(SplitData(test_ratio=0.2))
    assert (len(split["train"]), len(split["test"])) == (24, 6)
    again = kartcore.build(SplitData(test_ratio=0.2, rerun=True))
    assert again == split


def test_train_centroids_has_one_centroid_per_species() -> None:
    centroids = kartcore.build(TrainCentroids())
    assert sorted(centroids) == ["setosa", "versicolor", "virginica"]
    assert all(len(centre) == len(FEATURES) for centre in centroids.values())


def test_predict_picks_the_nearest_centroid() -> None:
    centroids = {"a": [0.0, 0.0, 0.0, 0.0], "b": [10.0, 10.0, 10.0, 10.0]}
    record: Record = {feature: 9.0 for feature in FEATURES}
    record["species"] = "b"
    assert predict(centroids, record) == "b"


def test_evaluate_scores_the_classifier(workspace: Path) -> None:
    metrics = kartcore.build(Evaluate())
    assert metrics["test_size"] == 9.0
    assert metrics["accuracy"] >= 0.8
    assert len(list((workspace / "evaluation").glob("metrics_*.json"))) == 1


def test_changing_a_parameter_reruns_only_what_depends_on_it(workspace: Path) -> None:
    kartcore.build(Evaluate())
    loads_before = outputs(workspace, "LoadIris")
    kartcore.build(SplitData(test_ratio=0.5))
    assert outputs(workspace, "LoadIris") == loads_before
    assert len(outputs(workspace, "SplitData")) == 2


@pytest.mark.parametrize("ratio", [0.1, 0.5])
def test_split_sizes_follow_the_ratio(ratio: float) -> None:
    split = kartcore.build(SplitData(test_ratio=ratio))
    assert len(split["test"]) == round(30 * ratio)
