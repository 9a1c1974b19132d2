"""Edits to a trained SentencePiece model, made once after training, before export.

- :func:`add_digit_groups`: every group of two or three ASCII digits becomes a piece
  (the ten single digits are pieces already), all digit pieces with one score,
  :data:`DIGIT_SCORE`. A digit run then costs one score per piece, so the fewest
  pieces win, and among those both SentencePiece and ``tokenizers`` keep, at each
  end position, the first candidate they meet: the longest last piece. So runs are
  cut in groups of three from the right, ``1234567`` → ``1|234|567``.
- :func:`quantize_scores`: scores rounded to multiples of :data:`SCORE_STEP`.
  SentencePiece adds lattice scores in 32-bit floats, ``tokenizers`` in 64-bit
  ones; two paths equal in exact arithmetic (``ああ|あ`` and ``あ|ああ``, or
  ``1|234`` and ``12|34``) can round apart in one and not the other. With scores on
  a grid of 1/32 every sum is exact in both (as long as a document's running sum
  stays below 2**24 * SCORE_STEP = 524,288 in magnitude, some 50,000 pieces), so
  ties are ties in both and both break them the same way.

Both keep ids stable: digit groups are appended after the trained pieces.
"""

from __future__ import annotations

from pathlib import Path

from sentencepiece import sentencepiece_model_pb2 as model_pb2

from tokenizer.symbols import digit_groups

_Piece = model_pb2.ModelProto.SentencePiece

SCORE_STEP = 2.0**-5
DIGIT_SCORE = -10.0
"""Any constant does: digits are covered by digit pieces only (training splits
digits, so no other piece holds one). On the score grid."""


def load_proto(model_path: str | Path) -> model_pb2.ModelProto:
    proto = model_pb2.ModelProto()
    proto.ParseFromString(Path(model_path).read_bytes())
    return proto


def save_proto(proto: model_pb2.ModelProto, model_path: str | Path) -> None:
    """Write the model and, beside it, its ``.vocab`` listing (``piece<TAB>score``)."""
    model_path = Path(model_path)
    model_path.write_bytes(proto.SerializeToString())
    model_path.with_suffix(".vocab").write_text(
        "".join(f"{p.piece}\t{p.score:g}\n" for p in proto.pieces), encoding="utf-8"
    )


def added_digit_pieces() -> int:
    """How many pieces :func:`add_digit_groups` appends (1,100: 00–99 and 000–999)."""
    return sum(1 for g in digit_groups() if len(g) > 1)


def add_digit_groups(proto: model_pb2.ModelProto) -> int:
    """Give every digit group of one to three ASCII digits a piece of score
    :data:`DIGIT_SCORE`; returns how many pieces were appended."""
    index = {p.piece: p for p in proto.pieces}
    added = 0
    for group in digit_groups():
        piece = index.get(group)
        if piece is None:
            piece = proto.pieces.add(piece=group, type=_Piece.NORMAL)
            added += 1
        elif piece.type != _Piece.NORMAL:
            raise ValueError(f"digit group {group!r} is already a {_Piece.Type.Name(piece.type)}")
        piece.score = DIGIT_SCORE
    proto.trainer_spec.vocab_size = len(proto.pieces)
    return added


def quantize_scores(proto: model_pb2.ModelProto, step: float = SCORE_STEP) -> int:
    """Round the scores of normal pieces to multiples of ``step``; returns how many changed.

    >>> proto = model_pb2.ModelProto()
    >>> _ = proto.pieces.add(piece="猫", score=-7.123, type=_Piece.NORMAL)
    >>> quantize_scores(proto), proto.pieces[0].score
    (1, -7.125)
    """
    changed = 0
    for p in proto.pieces:
        if p.type != _Piece.NORMAL:
            continue
        rounded = round(p.score / step) * step
        if rounded != p.score:
            p.score = rounded
            changed += 1
    return changed


def finish_model(model_path: str | Path, *, digit_groups_on: bool) -> dict[str, int]:
    """The edits a trained model gets, in place: digit groups (if on), then the score grid."""
    proto = load_proto(model_path)
    added = add_digit_groups(proto) if digit_groups_on else 0
    changed = quantize_scores(proto)
    save_proto(proto, model_path)
    return {"digit_pieces_added": added, "scores_rounded": changed}
