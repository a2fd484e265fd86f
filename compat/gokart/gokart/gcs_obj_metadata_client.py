"""``gokart.gcs_obj_metadata_client``: label a GCS object with a task's parameters (GCS object metadata).

For code that labels its own GCS objects as gokart does (search by parameter in the console):
``GCSObjectMetadataClient.add_task_state_labels(path, task_params, custom_labels, required_task_outputs)``
patches the object's metadata through luigi's GCS client (:class:`gokart.gcs_config.GCSConfig`). The labels:
custom labels first, then the task's parameters, then the required outputs as JSON; a name already taken and
an empty value are left out, and the last labels are dropped until the whole fits GCS's 8 KiB. kartcore's
own targets do not label objects: a run's parameters are in its JSON run record under ``log/``.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from gokart._extras import require
from gokart.required_task_output import RequiredTaskOutput

__all__ = ["GCSObjectMetadataClient"]

logger = logging.getLogger(__name__)

#: gokart's run records: never labelled.
_LOG_PATH = re.compile(
    r"^gs://[^/]+/(.+/)?log/(processing_time|task_info|task_log|module_versions|random_seed|task_params)/."
)


def _size(name: str, value: str) -> int:
    return len(name.encode("utf-8")) + len(value.encode("utf-8"))


class GCSObjectMetadataClient:
    """Static helpers; not meant to be instantiated."""

    MAX_GCS_METADATA_SIZE: ClassVar[int] = 8 * 1024

    @staticmethod
    def _is_log_related_path(path: str) -> bool:
        return _LOG_PATH.match(path) is not None

    @staticmethod
    def _path_to_bucket_and_key(path: str) -> tuple[str, str]:
        parts = urlsplit(path)
        if parts.scheme != "gs":
            raise ValueError(f"{path!r} is not a gs:// path")
        return parts.netloc, parts.path[1:]

    @staticmethod
    def _makepatch(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
        return dict(require("googleapiclient.model", "gcs").makepatch(original, modified))

    @staticmethod
    def add_task_state_labels(
        path: str,
        task_params: dict[str, str] | None = None,
        custom_labels: dict[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None:
        """Merge the labels into the metadata of the object at ``path`` (run records are left alone)."""
        if GCSObjectMetadataClient._is_log_related_path(path):
            return
        from gokart.gcs_config import GCSConfig

        objects = GCSConfig().get_gcs_client().client.objects()
        bucket, name = GCSObjectMetadataClient._path_to_bucket_and_key(path)
        found = objects.get(bucket=bucket, object=name).execute()
        if found is None:
            logger.error("could not read the metadata of %s", path)
            return
        original = dict(found.get("metadata") or {})
        patched = GCSObjectMetadataClient._get_patched_obj_metadata(
            dict(original), task_params, custom_labels, required_task_outputs
        )
        if patched == original:
            return
        body = GCSObjectMetadataClient._makepatch({"metadata": original}, {"metadata": patched})
        if objects.patch(bucket=bucket, object=name, body=body).execute() is None:  # patch keeps other metadata
            logger.error("could not label %s", path)

    @staticmethod
    def _normalize_labels(labels: dict[Any, Any] | None) -> dict[str, str]:
        return {str(key): str(value) for key, value in (labels or {}).items()}

    @staticmethod
    def _get_patched_obj_metadata(
        metadata: Any,
        task_params: dict[str, str] | None = None,
        custom_labels: dict[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> Any:
        """``metadata`` with the labels added (see the module docstring); anything but a dict is returned as is."""
        if not isinstance(metadata, dict):
            logger.warning("object metadata is not a dict (%r); left unchanged", metadata)
            return metadata
        groups = [
            GCSObjectMetadataClient._normalize_labels(custom_labels),
            GCSObjectMetadataClient._normalize_labels(task_params),
        ]
        if required_task_outputs:
            serialized = GCSObjectMetadataClient._get_serialized_string(required_task_outputs)
            groups.append({"__required_task_outputs": json.dumps(serialized)})
        merged = GCSObjectMetadataClient._merge_custom_labels_and_task_params_labels(groups)
        return GCSObjectMetadataClient._adjust_gcs_metadata_limit_size({**metadata, **merged})

    @staticmethod
    def _get_serialized_string(required_task_outputs: Any) -> Any:
        if isinstance(required_task_outputs, RequiredTaskOutput):
            return required_task_outputs.serialize()
        if isinstance(required_task_outputs, dict):
            return {key: GCSObjectMetadataClient._get_serialized_string(v) for key, v in required_task_outputs.items()}
        if isinstance(required_task_outputs, (list, tuple)):
            return [GCSObjectMetadataClient._get_serialized_string(item) for item in required_task_outputs]
        raise TypeError(
            f"required_task_outputs holds a {type(required_task_outputs).__name__}; expected RequiredTaskOutput, "
            "or dicts, lists or tuples of them"
        )

    @staticmethod
    def _merge_custom_labels_and_task_params_labels(groups: list[dict[str, str]]) -> dict[str, str]:
        """The groups merged in order: an earlier group keeps a name; empty values are skipped."""
        merged: dict[str, str] = {}
        for labels in groups:
            for name, value in labels.items():
                if not value:
                    logger.warning("label %s has an empty value; not added", name)
                elif name in merged:
                    logger.warning("label %s is set already; the later value is not added", name)
                else:
                    merged[name] = value
        return merged

    @staticmethod
    def _adjust_gcs_metadata_limit_size(labels: dict[str, str]) -> dict[str, str]:
        """``labels`` without its last entries, as many as it takes to fit GCS's metadata limit."""
        kept = dict(labels)
        total = sum(_size(name, value) for name, value in kept.items())
        for name in reversed(list(kept)):
            if total <= GCSObjectMetadataClient.MAX_GCS_METADATA_SIZE:
                break
            total -= _size(name, kept.pop(name))
        return kept
