"""``jpcorpus --version``: the versions that decide what a run produces."""

from __future__ import annotations

import hashlib

from manifests.release import code_version, tool_versions


def version_text() -> str:
    """The package, its engines and the models bundled with them, one per line."""
    from corpus.stages.langid import MODEL_PATH

    tools = tool_versions()
    model = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()[:12]
    lines = [
        f"jpcorpus {tools.get('jpcorpus', '?')} (code {code_version()})",
        f"python {tools['python']}",
        f"datatrove {tools.get('datatrove', 'not installed')}",
        f"ray {tools.get('ray', 'not installed')}",
        f"fastText model {MODEL_PATH.name} (sha256 {model}…), "
        f"fasttext-numpy2-wheel {tools.get('fasttext-numpy2-wheel', 'not installed')}",
        f"SudachiPy {tools.get('sudachipy', 'not installed')}, "
        f"dictionary sudachidict-core {tools.get('sudachidict-core', 'not installed')}",
    ]
    return "\n".join(lines)
