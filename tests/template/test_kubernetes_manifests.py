"""The generated project's Kubernetes manifests: valid against Kubernetes' own schemas (kubernetes-validate,
strict: unknown fields are errors), and consistent with the project they deploy (its image, its tasks, its
luigid settings, the options main.py accepts)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.template.test_bake import bake

KUBERNETES_VERSION = "1.33"
MANIFESTS = ("luigid.yaml", "workers-job.yaml", "dask.yaml")


def _documents(project: Path, name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((project / "deploy" / "kubernetes" / name).read_text(encoding="utf-8")))


def _containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])


@pytest.fixture
def project(cookies: Any) -> Path:
    return bake(cookies, project_name="churn-model")


@pytest.mark.parametrize("name", MANIFESTS)
def test_every_document_is_valid_against_the_kubernetes_schema(project: Path, name: str) -> None:
    documents = _documents(project, name)
    assert documents
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _names_and_labels(value: Any, key: str = "") -> list[str]:
    """Every object name and label value in a document (the API server wants DNS labels or label values there)."""
    if isinstance(value, dict):
        found = [value["name"]] if key == "metadata" and "name" in value else []
        found += list(value["labels"].values()) if key == "metadata" and "labels" in value else []
        found += list(value["matchLabels"].values()) if "matchLabels" in value else []
        return found + [name for child_key, child in value.items() for name in _names_and_labels(child, child_key)]
    if isinstance(value, list):
        return [name for child in value for name in _names_and_labels(child, key)]
    return []


def test_a_project_name_with_capitals_spaces_and_dots_gives_valid_names_and_labels(cookies: Any) -> None:
    project = bake(cookies, project_name="My Pipeline.v2", package_name="my_pipeline")
    names = [name for manifest in MANIFESTS for doc in _documents(project, manifest) for name in _names_and_labels(doc)]
    assert "my-pipeline-v2-workers" in names and "my-pipeline-v2" in names
    assert [name for name in names if not DNS_LABEL.match(name)] == []
    for manifest in MANIFESTS:
        for document in _documents(project, manifest):
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_an_invalid_manifest_is_caught(project: Path) -> None:
    """The check has teeth: a misspelt field fails strict validation."""
    (job,) = _documents(project, "workers-job.yaml")
    job["spec"]["paralelism"] = job["spec"].pop("parallelism")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


def test_the_workers_job_runs_several_pods_against_luigid(project: Path) -> None:
    (job,) = _documents(project, "workers-job.yaml")
    assert job["kind"] == "Job" and job["spec"]["parallelism"] > 1
    (container,) = _containers(job)
    command = container["command"]
    assert command[:3] == ["python", "main.py", "churn_model.Evaluate"]
    assert "--scheduler-host=luigid" in command and "--scheduler-port=8082" in command
    services = {doc["metadata"]["name"]: doc for doc in _documents(project, "luigid.yaml") if doc["kind"] == "Service"}
    assert services["luigid"]["spec"]["ports"][0]["port"] == 8082


def test_luigid_runs_from_the_project_image_with_the_shipped_settings(project: Path) -> None:
    (deployment,) = [doc for doc in _documents(project, "luigid.yaml") if doc["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == 1
    (container,) = _containers(deployment)
    assert container["image"].startswith("churn_model:")
    config_path = {env["name"]: env["value"] for env in container["env"]}["LUIGI_CONFIG_PATH"]
    assert config_path == "/app/conf/luigid.cfg"  # WORKDIR /app in the Dockerfile, conf/ copied into it
    assert (project / config_path.removeprefix("/app/")).is_file()
    assert "COPY conf/ conf/" in (project / "Dockerfile").read_text(encoding="utf-8")
    assert "--port" in container["command"] and "8082" in container["command"]


def test_the_dask_manifest_has_scheduler_workers_and_a_driver(project: Path) -> None:
    documents = {(doc["kind"], doc["metadata"]["name"]): doc for doc in _documents(project, "dask.yaml")}
    scheduler = _containers(documents[("Deployment", "dask-scheduler")])[0]
    assert scheduler["command"][:2] == ["dask", "scheduler"]
    worker = _containers(documents[("Deployment", "dask-worker")])[0]
    assert worker["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
    assert "--preload=churn_model" in worker["command"] and "--nthreads=1" in worker["command"]
    assert {env["name"]: env["value"] for env in worker["env"]}["PYTHONPATH"] == "/app"  # WORKDIR of the image
    driver = _containers(documents[("Job", "churn-model-dask-driver")])[0]
    assert driver["command"][:3] == ["python", "main.py", "churn_model.Evaluate"]
    assert "--dask-scheduler=tcp://dask-scheduler:8786" in driver["command"], shlex.join(driver["command"])


def test_every_pod_runs_as_the_images_non_root_user(project: Path) -> None:
    for name in MANIFESTS:
        for document in _documents(project, name):
            if document["kind"] in {"Deployment", "Job"}:
                security = document["spec"]["template"]["spec"]["securityContext"]
                assert security == {"runAsNonRoot": True, "runAsUser": 10001}, (name, document["metadata"]["name"])
