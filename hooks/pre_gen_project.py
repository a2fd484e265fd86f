"""Refuse bad answers before any file is written (the rules live in hooks/checks.py)."""

import json
import sys

sys.path.insert(0, r"{{ template_root() }}/hooks")
import checks

sys.exit(checks.pre_gen(json.loads(r"""{{ cookiecutter | hook_json }}""")))
