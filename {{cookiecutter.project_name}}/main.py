import kartcore

import {{ cookiecutter.package_name }}  # noqa: F401  (registers the tasks)

if __name__ == "__main__":
    kartcore.add_config("./conf/param.ini")
    kartcore.run()
