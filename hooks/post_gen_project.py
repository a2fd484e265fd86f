"""Bundle the runtime, record the answers and verify the new project (the work lives in hooks/checks.py)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, r"{{ template_root() }}/hooks")
import checks

context = json.loads(r"""{{ cookiecutter | hook_json }}""")
sys.exit(checks.post_gen(context, Path.cwd(), Path(r"{{ template_root() }}")))
