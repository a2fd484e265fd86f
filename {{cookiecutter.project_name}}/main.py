"""Run any task of the pipeline: ``python main.py {{ cookiecutter.package_name }}.Sample --local-scheduler``."""

import os

# luigi reads its settings once, when it is imported (before kartcore.add_config() below runs), and warns
# unless [core] autoload_range is set: let it read conf/param.ini from the start, which sets it.
if "LUIGI_CONFIG_PATH" not in os.environ:
    os.environ.update(LUIGI_CONFIG_PATH="conf/param.ini", LUIGI_CONFIG_PARSER="ini")

import kartcore

import {{ cookiecutter.package_name }}  # noqa: F401  (importing the package registers its tasks)

if __name__ == "__main__":
    kartcore.add_config("./conf/param.ini")
    kartcore.run()
