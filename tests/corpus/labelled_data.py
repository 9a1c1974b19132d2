"""The labelled-set builder of ``bench/langid_quality_data.py``, loaded for the tests.

``bench/`` is not a package, so the module is loaded by path, once per process.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def load_labelled_data() -> ModuleType:
    if "langid_quality_data" in sys.modules:
        return sys.modules["langid_quality_data"]
    spec = importlib.util.spec_from_file_location(
        "langid_quality_data", REPO / "bench" / "langid_quality_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["langid_quality_data"] = module
    spec.loader.exec_module(module)
    return module
