"""The SentencePiece tokenizer trained from a release (DESIGN §1, ``jpcorpus tokenizer``).

- :mod:`tokenizer.settings` — trainer settings (presets ``japanese``, ``spm-default``) and sample bounds
- :mod:`tokenizer.sample` — Ray-parallel drawing of the bounded training sample and held-out documents
- :mod:`tokenizer.segment` — SudachiPy word boundaries (pre-segmentation, word-alignment measure)
- :mod:`tokenizer.train` — sample → SentencePiece (own process: time, peak memory) → export → card
- :mod:`tokenizer.hf_export` — ``tokenizer.json`` for Hugging Face ``tokenizers``/``transformers``
- :mod:`tokenizer.evaluate` — chars/token, fallbacks, round trip, word-boundary share, side by side
- :mod:`tokenizer.card` — the tokenizer card
- :mod:`tokenizer.cli` — ``jpcorpus tokenizer train|eval``
"""
