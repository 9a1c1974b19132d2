"""PII scrubbing: presidio with Japanese recognizers.

presidio is imported through :mod:`corpus.pii.presidio` (without ``transformers``), and
only by the modules that match: importing :mod:`corpus.pii.entities` stays cheap. The
``transformers`` log level is set to errors unless the user chose one
(``TRANSFORMERS_VERBOSITY``).
"""

import os

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
