"""PII scrubbing: presidio with Japanese recognizers.

presidio imports ``transformers`` whenever it is installed, for a transformer NER engine
we never use: 0.6 s of CPU in every worker, and without PyTorch a warning at each start.
presidio is imported here with ``transformers`` hidden (it handles that as "not
installed"); a later ``import transformers`` in the same process works as usual. Its log
level is set to errors too, unless the user chose one (``TRANSFORMERS_VERBOSITY``).
"""

import os
import sys

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def _import_presidio_without_transformers() -> None:
    if "presidio_analyzer" in sys.modules or "transformers" in sys.modules:
        return
    sys.modules["transformers"] = None  # an ImportError to whoever imports it now
    try:
        import presidio_analyzer  # noqa: F401
    finally:
        if sys.modules.get("transformers", 0) is None:
            del sys.modules["transformers"]


_import_presidio_without_transformers()
