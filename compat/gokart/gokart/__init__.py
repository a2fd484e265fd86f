"""gokart, served by kartcore: gokart 1.12.2's module layout as thin adapters over kartcore.

``import gokart`` gives kartcore's ``TaskOnKart``, ``build``, ``run``, ... and writes the same file
names as gokart. Names kartcore does not serve raise :class:`gokart._dropin.NotProvidedError`.
"""

from gokart._dropin import check_not_mixed as _check_not_mixed

_check_not_mixed(__file__)

# gokart code reaches these luigi submodules as attributes of ``luigi`` (``luigi.retcodes.run_with_retcodes``)
# because gokart imported them; importing the drop-in must leave them there too.
import luigi.cmdline_parser  # noqa: E402
import luigi.configuration  # noqa: E402
import luigi.execution_summary  # noqa: E402
import luigi.format  # noqa: E402
import luigi.interface  # noqa: E402
import luigi.local_target  # noqa: E402
import luigi.mock  # noqa: E402
import luigi.parameter  # noqa: E402
import luigi.retcodes  # noqa: E402
import luigi.rpc  # noqa: E402
import luigi.scheduler  # noqa: E402
import luigi.setup_logging  # noqa: E402
import luigi.target  # noqa: E402
import luigi.task  # noqa: E402
import luigi.task_register  # noqa: E402
import luigi.util  # noqa: E402
import luigi.worker  # noqa: E402, F401

from kartcore import *  # noqa: E402, F403
from kartcore import __all__ as _kartcore_names  # noqa: E402

# isort: split

# gokart's __init__ loads these modules, so code reaches them as attributes (``gokart.target.make_target``).
from gokart import (  # noqa: E402, F401
    config_params,
    conflict_prevention_lock,
    errors,
    file_processor,
    gcs_config,
    info,
    pandas_type_config,
    parameter,
    s3_config,
    target,
    task,
    testing,
    tree,
    utils,
    zip_client_util,
)
from gokart._dropin import module_getattr as _module_getattr  # noqa: E402

# ``gokart.build`` and ``gokart.run`` are functions that shadow their modules, as in gokart;
# ``from gokart.build import GokartBuildError`` still finds the module in sys.modules.
from gokart.build import WorkerSchedulerFactory, build  # noqa: E402, F401
from gokart.conflict_prevention_lock import task_lock  # noqa: E402, F401
from gokart.info import make_tree_info, tree_info  # noqa: E402, F401
from gokart.run import run  # noqa: E402, F401
from gokart.tree.task_info import make_task_info_as_tree_str  # noqa: E402, F401
from gokart.utils import add_config  # noqa: E402, F401

__all__ = list(_kartcore_names)

__getattr__ = _module_getattr(
    "gokart",
    {
        "test_run": "kartcore checks a task on empty inputs with kartcore.testing.run_with_empty_inputs",
        "delete_local_unnecessary_outputs": "use `kart clean` (kartcore's command line)",
    },
)
