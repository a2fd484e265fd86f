"""``gokart.required_task_output``: which task wrote an input, and where (recorded in GCS object labels)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RequiredTaskOutput"]


@dataclass
class RequiredTaskOutput:
    task_name: str
    output_path: str

    def serialize(self) -> dict[str, str]:
        return {"__gokart_task_name": self.task_name, "__gokart_output_path": self.output_path}
