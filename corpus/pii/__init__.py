"""PII scrubbing: presidio with Japanese recognizers.

presidio imports ``transformers`` whenever it is installed, for a transformer NER engine
we never use; without PyTorch that import logs a warning at every worker start. Its log
level is set to errors unless the user chose one (``TRANSFORMERS_VERBOSITY``).
"""

import os

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
