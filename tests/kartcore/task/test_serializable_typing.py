"""A SerializableParameter's value type must have gokart_serialize/gokart_deserialize: mypy says so at the call."""

from __future__ import annotations

from pathlib import Path

from tests.kartcore.typecheckers import expected, mypy

CASE = """
import kartcore


class Good:
    def gokart_serialize(self) -> str:
        return ""

    @classmethod
    def gokart_deserialize(cls, s: str) -> "Good":
        return cls()


class Bad:
    ...


kartcore.SerializableParameter(object_type=Good)
kartcore.SerializableParameter(object_type=Bad)  # E: {REFUSED}
""".replace("{REFUSED}", 'Value of type variable "S" of "SerializableParameter" cannot be "Bad"  [type-var]')


def test_mypy_refuses_a_class_without_the_two_methods(tmp_path: Path) -> None:
    checked = mypy(tmp_path, "serializable_case", CASE, plugin="kartcore.mypy", cache=tmp_path / "cache")
    assert checked.reported == expected(CASE), checked.stdout
