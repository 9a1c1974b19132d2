"""Pure functions over Japanese text (encodings, normalization, character classes)."""
