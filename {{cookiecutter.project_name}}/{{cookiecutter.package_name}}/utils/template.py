"""The base class of this project's tasks."""

from typing import TypeVar

import kartcore

T = TypeVar("T")


class GokartTask(kartcore.TaskOnKart[T]):
    """Every task of the project derives from this class.

    ``task_namespace`` puts the tasks under the package name, so the command line says
    ``python main.py {{ cookiecutter.package_name }}.Sample`` and config sections are
    ``[{{ cookiecutter.package_name }}.Sample]``. Settings shared by all tasks of the project go here.
    """

    task_namespace = "{{ cookiecutter.package_name }}"
