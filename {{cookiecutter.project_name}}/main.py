"""Run any task of the pipeline: ``python main.py {{ cookiecutter.package_name }}.Sample --local-scheduler``."""

import kartcore

import {{ cookiecutter.package_name }}  # noqa: F401  (importing the package registers its tasks)

if __name__ == "__main__":
    kartcore.add_config("./conf/param.ini")
    kartcore.run()
