"""The Aozora Bunko index (``list_person_all_extended_utf8.csv``): works and their rights flags.

The index has one row per work × person × role (著者, 翻訳者, 編者, 校訂者 …). A work is
public domain in Japan only if *every* row of it has ``作品著作権フラグ=なし`` and
``人物著作権フラグ=なし`` — a public-domain author with a living translator is not.
"""

from __future__ import annotations

import csv
import io
import posixpath
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from corpus import storage
from corpus.storage import UnsafePath, safe_relpath
from pipelines.sources.files import read_file_bounded

#: the index columns this reader needs (the file has 55)
REQUIRED_COLUMNS = (
    "作品ID",
    "作品名",
    "副題",
    "作品著作権フラグ",
    "図書カードURL",
    "人物ID",
    "姓",
    "名",
    "役割フラグ",
    "人物著作権フラグ",
    "テキストファイルURL",
)
NO_COPYRIGHT = "なし"
#: order of roles in a credit line; other roles follow
ROLE_ORDER = ("著者", "翻訳者", "編者", "校訂者")


class IndexFormatError(ValueError):
    """The file is not in the ``list_person_all_extended_utf8.csv`` layout."""


@dataclass(frozen=True)
class AozoraPerson:
    person_id: str
    name: str
    role: str
    copyrighted: bool
    """``人物著作権フラグ=あり``"""


@dataclass(frozen=True)
class AozoraWork:
    """One work with every person row of the index."""

    work_id: str
    title: str
    card_url: str
    text_url: str
    work_copyrighted: bool
    """``作品著作権フラグ=あり`` on any row"""
    persons: tuple[AozoraPerson, ...]

    @property
    def public_domain(self) -> bool:
        """True only if the work and every person are flagged ``なし``."""
        return not self.work_copyrighted and not any(p.copyrighted for p in self.persons)

    def flags_evidence(self) -> str:
        """The index flags as license evidence, naming every person row.

        >>> AozoraWork("000127", "羅生門", "", "", False,
        ...     (AozoraPerson("000879", "芥川 竜之介", "著者", False),)).flags_evidence()
        'aozora-index:作品著作権フラグ=なし,人物著作権フラグ=なし(000879:著者)'
        >>> AozoraWork("057347", "老人と海", "", "", True,
        ...     (AozoraPerson("001847", "ヘミングウェイ アーネスト・ミラー", "著者", False),
        ...      AozoraPerson("001734", "石波 杏", "翻訳者", True))).flags_evidence()
        'aozora-index:作品著作権フラグ=あり,人物著作権フラグ=なし(001847:著者),あり(001734:翻訳者)'
        """
        work = "あり" if self.work_copyrighted else "なし"
        people = ",".join(
            f"{'あり' if p.copyrighted else 'なし'}({p.person_id}:{p.role})" for p in self.persons
        )
        return f"aozora-index:作品著作権フラグ={work},人物著作権フラグ={people}"

    def credit(self) -> str:
        """Persons as a credit, authors first.

        >>> AozoraWork("057347", "老人と海", "", "", True,
        ...     (AozoraPerson("001734", "石波 杏", "翻訳者", True),
        ...      AozoraPerson("001847", "ヘミングウェイ アーネスト・ミラー", "著者", False))).credit()
        'ヘミングウェイ アーネスト・ミラー（著者）、石波 杏（翻訳者）'
        """

        def rank(p: AozoraPerson) -> int:
            return ROLE_ORDER.index(p.role) if p.role in ROLE_ORDER else len(ROLE_ORDER)

        return "、".join(f"{p.name}（{p.role}）" for p in sorted(self.persons, key=rank))

    def text_path(self, root: str) -> str | None:
        """The card text's path relative to ``root`` (a local folder or a URL such as
        ``s3://bucket/aozora``); ``None`` if the index names no text file.

        Both layouts are understood: the unpacked ``cards/<人物ID>/files/<name>/<name>.txt``
        and the official ``cards/<人物ID>/files/<name>.zip`` (returned when the first
        is absent). The path comes from the index, i.e. from data: it must stay inside
        ``root`` (:func:`corpus.storage.safe_relpath`, and for a local root no symlink
        out of it), else :class:`~corpus.storage.UnsafePath`.

        >>> work = AozoraWork("000127", "羅生門", "", "https://www.aozora.gr.jp/cards/"
        ...     "000879/files/127_ruby_150.zip", False, ())
        >>> work.text_path("memory://no-such-root")
        'cards/000879/files/127_ruby_150.zip'
        """
        if not self.text_url:
            return None
        try:
            path = urlparse(self.text_url).path  # /cards/000879/files/127_ruby_150.zip
        except ValueError:  # not a URL ("http://[::1"): no text file named
            return None
        parts = [p for p in path.split("/") if p]
        if "cards" not in parts or not parts[-1].lower().endswith(".zip"):
            return None
        packed = safe_relpath("/".join(parts[parts.index("cards") :]))
        folder, _, name = packed.rpartition("/")
        stem = name[: -len(".zip")]
        unpacked = safe_relpath(posixpath.join(folder, stem, f"{stem}.txt"))
        found = unpacked if storage.exists(storage.join(root, unpacked)) else packed
        url = storage.join(root, found)
        local = not storage.is_remote(root)  # object stores have no symlinks
        if local and storage.exists(url) and not storage.stays_inside(url, root):
            raise UnsafePath(f"{packed} leads out of the root through a symlink")
        return found

    def to_task(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_task(cls, data: dict[str, Any]) -> AozoraWork:
        persons = tuple(AozoraPerson(**p) for p in data["persons"])
        return cls(**{**data, "persons": persons})


def read_index(data: bytes) -> list[AozoraWork]:
    """Works of an index file's bytes (UTF-8, BOM optional), ordered by 作品ID.

    Rows of the same 作品ID are merged; a person listed twice in one role counts once; a
    short row's missing fields are empty. Raises :class:`IndexFormatError` when a needed
    column is missing or the file is not CSV (a field past csv's size limit, …).
    """
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), restval="")
    rows: dict[str, list[dict[str, str]]] = {}
    try:
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise IndexFormatError(f"missing column(s) {', '.join(missing)}")
        for row in reader:
            work_id = (row["作品ID"] or "").strip()
            if work_id:
                rows.setdefault(work_id.zfill(6), []).append(row)
    except csv.Error as exc:
        raise IndexFormatError(f"not CSV: line {reader.line_num}: {exc}") from None
    return [_work(work_id, rows[work_id]) for work_id in sorted(rows)]


def _work(work_id: str, rows: list[dict[str, str]]) -> AozoraWork:
    first = rows[0]
    persons: dict[tuple[str, str], AozoraPerson] = {}
    for row in rows:
        person = AozoraPerson(
            person_id=row["人物ID"].strip(),
            name=" ".join(x for x in (row["姓"].strip(), row["名"].strip()) if x),
            role=row["役割フラグ"].strip(),
            copyrighted=row["人物著作権フラグ"].strip() != NO_COPYRIGHT,
        )
        key = (person.person_id, person.role)
        if key not in persons or person.copyrighted:
            persons[key] = person
    title = first["作品名"].strip()
    if first["副題"].strip():
        title = f"{title}　{first['副題'].strip()}"
    return AozoraWork(
        work_id=work_id,
        title=title,
        card_url=first["図書カードURL"].strip(),
        text_url=next(
            (r["テキストファイルURL"].strip() for r in rows if r["テキストファイルURL"]), ""
        ),
        work_copyrighted=any(r["作品著作権フラグ"].strip() != NO_COPYRIGHT for r in rows),
        persons=tuple(persons.values()),
    )


def read_index_file(path: str | Path) -> list[AozoraWork]:
    """:func:`read_index` of a file, a local path or a URL (``.gz`` too, decompressed
    within bounds).

    Raises :class:`~pipelines.sources.files.InputRejected` for a file over
    :data:`~pipelines.sources.limits.MAX_DOC_BYTES`, a decompression bomb or a broken gzip.
    """
    return read_index(read_file_bounded(path))
