"""``gokart.testing``: kartcore's test helpers."""

from gokart._dropin import module_getattr
from kartcore.testing import assert_frame_contents_equal

__all__ = ["assert_frame_contents_equal"]

__getattr__ = module_getattr(
    "gokart.testing",
    {"test_run": "use kartcore.testing.run_with_empty_inputs", "try_to_run_test_for_empty_data_frame": ""},
)
