"""The SentencePiece tokenizer trained from a release (DESIGN §1, ``jpcorpus tokenizer``).

- :mod:`tokenizer.settings` — trainer settings (presets ``japanese``, ``spm-default``) and sample bounds
- :mod:`tokenizer.sample` — Ray-parallel drawing of the bounded training sample and held-out documents
- :mod:`tokenizer.segment` — SudachiPy word boundaries (pre-segmentation, word-alignment measure)
- :mod:`tokenizer.train` — sample → SentencePiece (own process: time, peak memory) → edits → export → card
- :mod:`tokenizer.symbols` — one-token symbols: chat control, PII placeholders, digit groups
- :mod:`tokenizer.model_edit` — after training: digit-group pieces, scores on a grid
- :mod:`tokenizer.hf_export` — the Hugging Face folder ``transformers`` loads (same ids)
- :mod:`tokenizer.evaluate` — chars/token, fallbacks, round trip, word-boundary share, side by side
- :mod:`tokenizer.card` — the tokenizer card
- :mod:`tokenizer.cli` — ``jpcorpus tokenizer train|eval``
"""
