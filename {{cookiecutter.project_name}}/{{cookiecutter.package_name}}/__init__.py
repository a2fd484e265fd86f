"""Tasks of {{ cookiecutter.project_name }}."""

import kartcore


class Sample(kartcore.TaskOnKart[str]):
    task_namespace = "{{ cookiecutter.package_name }}"

    def run(self) -> None:
        self.dump("sample output")
