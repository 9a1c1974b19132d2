"""The release's README.md: a Hugging Face dataset card made from its manifest.

A release folder is a Hugging Face dataset folder as it stands: the card's YAML front
matter names the license(s), the language, the size and the one config whose
``data_files`` are ``shards/*.parquet``, so ``datasets.load_dataset(DIR)`` (streaming
too) reads the kept documents and never ``rejected/`` or ``dedup/``. The body is for a
reviewer: sources, the license table, the accounting, the PII policy, the dedup
settings, where the credits are and how to cite.

Every fact comes from the manifest, so the card of a release, a pulled copy or a
takedown version says what that folder holds. :func:`card_metadata` is the front
matter alone; ``jpcorpus audit`` compares a card's front matter with it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from licenses.registry import get_license
from manifests.layout import ATTRIBUTION, MANIFEST, REJECTED, SHARDS

#: Our license ids (SPDX or ``LicenseRef-``) that are licenses of the Hugging Face Hub's
#: list, and the Hub's id for each. Every other license is ``other``, named in
#: ``license_name`` with a link in ``license_link``.
HUB_LICENSES = {
    "CC0-1.0": "cc0-1.0",
    "CC-BY-2.0": "cc-by-2.0",
    "CC-BY-2.5": "cc-by-2.5",
    "CC-BY-3.0": "cc-by-3.0",
    "CC-BY-4.0": "cc-by-4.0",
    "CC-BY-SA-3.0": "cc-by-sa-3.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0",
    "CC-BY-NC-2.0": "cc-by-nc-2.0",
    "CC-BY-NC-3.0": "cc-by-nc-3.0",
    "CC-BY-NC-4.0": "cc-by-nc-4.0",
    "CC-BY-ND-4.0": "cc-by-nd-4.0",
    "CC-BY-NC-ND-3.0": "cc-by-nc-nd-3.0",
    "CC-BY-NC-ND-4.0": "cc-by-nc-nd-4.0",
    "CC-BY-NC-SA-2.0": "cc-by-nc-sa-2.0",
    "CC-BY-NC-SA-3.0": "cc-by-nc-sa-3.0",
    "CC-BY-NC-SA-4.0": "cc-by-nc-sa-4.0",
    "PDDL-1.0": "pddl",
    "ODC-By-1.0": "odc-by",
    "ODbL-1.0": "odbl",
    "MIT": "mit",
    "Apache-2.0": "apache-2.0",
    "GFDL-1.3-only": "gfdl",
}

#: The Hub's ``size_categories`` buckets: (upper bound, label).
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
)

DATA_FILES = f"{SHARDS}/*.parquet"
SPLIT = "train"


def hub_license(license_id: str) -> str:
    """The Hub's id for one of our license ids, ``other`` when the Hub has none.

    >>> hub_license("CC-BY-SA-3.0"), hub_license("LicenseRef-PublicDomain-JP")
    ('cc-by-sa-3.0', 'other')
    """
    return HUB_LICENSES.get(license_id, "other")


def size_category(documents: int) -> str:
    """The Hub's size bucket for a number of rows.

    >>> size_category(73), size_category(12_345)
    ('n<1K', '10K<n<100K')
    """
    for bound, label in SIZE_CATEGORIES:
        if documents < bound:
            return label
    return "n>1T"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def pretty_name(manifest: dict[str, Any]) -> str:
    suffix = " (pulled)" if manifest.get("pull") else ""
    return f"{manifest.get('name', 'release')} {manifest.get('version', '')}".strip() + suffix


def card_metadata(manifest: dict[str, Any]) -> dict[str, Any]:
    """The card's YAML front matter for ``manifest``.

    >>> meta = card_metadata({"name": "sample", "version": "1", "accounting": {"kept": 3},
    ...     "licenses": {"CC-BY-4.0": {}, "LicenseRef-PublicDomain-JP": {}}})
    >>> meta["license"], meta["license_name"], meta["configs"][0]["data_files"]
    (['cc-by-4.0', 'other'], 'licenseref-publicdomain-jp', [{'split': 'train', 'path': 'shards/*.parquet'}])
    """
    ids = sorted(manifest.get("licenses", {}))
    hub = sorted({hub_license(i) for i in ids}) or ["other"]
    meta: dict[str, Any] = {"pretty_name": pretty_name(manifest)}
    meta["license"] = hub[0] if len(hub) == 1 else hub
    others = [i for i in ids if hub_license(i) == "other"]
    if len(others) == 1:
        entry = get_license(others[0])
        meta["license_name"] = _slug(others[0])
        meta["license_link"] = entry.url if entry and entry.url else ATTRIBUTION
    elif others or not ids:
        meta["license_name"] = "per-document"
        meta["license_link"] = ATTRIBUTION
    meta |= {
        "language": ["ja"],
        "size_categories": [size_category(int(manifest.get("accounting", {}).get("kept", 0)))],
        "task_categories": ["text-generation"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": SPLIT, "path": DATA_FILES}],
                "default": True,
            }
        ],
    }
    return meta


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """A card's YAML front matter (None when it has none or it is not a mapping) and body."""
    match = re.match(r"\A---\n(.*?)\n---\n?(.*)\Z", text, flags=re.S)
    if not match:
        return None, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None, text
    return (meta if isinstance(meta, dict) else None), match.group(2)


def _human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _stage_params(manifest: dict[str, Any], name: str) -> dict[str, Any] | None:
    for entry in manifest.get("config", {}).get("stages", []):
        if isinstance(entry, dict) and name in entry:
            return entry[name] or {}
    return None


def _dropped_by(manifest: dict[str, Any], stage: str) -> int:
    return sum(manifest.get("accounting", {}).get("dropped", {}).get(stage, {}).values())


def _summary(manifest: dict[str, Any]) -> list[str]:
    acc = manifest.get("accounting", {})
    shards = manifest.get("shards", [])
    chars = sum(int(v.get("characters", 0)) for v in manifest.get("licenses", {}).values())
    total = sum(int(s.get("bytes", 0)) for s in shards)
    lines = [
        f"# {pretty_name(manifest)}",
        "",
        f"Japanese text for language-model training: **{acc.get('kept', 0):,} documents** "
        f"({chars:,} characters) in {len(shards)} Parquet shard(s) ({_human_bytes(total)}), "
        f"built {manifest.get('created_at', '?')} by jpcorpus `{manifest.get('code_version', '?')}` "
        f"(shard schema version {manifest.get('schema_version', 1)}).",
        "",
        "Every row carries its license (`license`), how that license was established "
        "(`license_evidence`) and the credit line it requires (`attribution`). "
        f"`{MANIFEST}` accounts for every input document (kept, or dropped at a named stage "
        "with a reason); `jpcorpus audit` checks the folder against it.",
    ]
    if manifest.get("pull"):
        pull = manifest["pull"]
        flt = pull.get("filter", {})
        what = "; ".join(f"{k}: {', '.join(v)}" for k, v in flt.items() if v) or "no filter"
        lines += [
            "",
            f"This is a filtered copy of version {pull.get('version')} of a catalog ({what}); "
            f"the parent manifest's digest is `{manifest.get('parent', {}).get('manifest_sha256')}`.",
        ]
    for td in manifest.get("takedowns", []):
        lines += [
            "",
            f"Takedown {td.get('request')} ({td.get('requested_at')}) removed "
            f"{td.get('removed')} document(s): {td.get('reason')}",
        ]
    return lines


def _loading() -> list[str]:
    return [
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("path/to/this/folder", split="{SPLIT}")            # reads {DATA_FILES} only',
        'ds = load_dataset("path/to/this/folder", split="train", streaming=True)',
        "```",
        "",
        "```sql",
        f"SELECT license, count(*) FROM read_parquet('{DATA_FILES}') GROUP BY license;",
        "SELECT id, map_from_entries(quality_signals) FROM read_parquet('shards/*.parquet');",
        "```",
        "",
        "`pii_detail` and `quality_signals` are lists of `{key, value}` pairs; "
        "`{e['key']: e['value'] for e in row['quality_signals']}` makes a dict of one.",
    ]


def _sources(manifest: dict[str, Any]) -> list[str]:
    rows = []
    for name, s in manifest.get("sources", {}).items():
        drops = [
            f"{stage}: {reason} {n}"
            for stage, reasons in s.get("dropped", {}).items()
            for reason, n in reasons.items()
        ]
        rows.append(
            [f"`{name}`", s.get("input"), s.get("kept"), s.get("keep_rate"), "; ".join(drops)]
        )
    config = manifest.get("config", {}).get("sources", [])
    types = sorted({c.get("type", "?") for c in config if isinstance(c, dict)})
    lines = ["", "## Sources", ""]
    lines += _table(["source", "input", "kept", "keep rate", "dropped (stage: reason n)"], rows)
    if types:
        lines += ["", "Connectors: " + ", ".join(f"`{t}`" for t in types) + "."]
    return lines


def _licenses(manifest: dict[str, Any]) -> list[str]:
    rows = []
    for lic, info in manifest.get("licenses", {}).items():
        entry = get_license(lic)
        name = (
            f"[{entry.name}]({entry.url})" if entry and entry.url else (entry.name if entry else "")
        )
        rows.append(
            [
                f"`{lic}`",
                name,
                f"{info.get('documents', 0):,}",
                f"{info.get('characters', 0):,}",
                ", ".join(info.get("obligations", [])) or "none",
                f"`{hub_license(lic)}`",
            ]
        )
    lines = ["", "## Licenses", ""]
    lines += _table(["license", "name", "documents", "characters", "obligations", "Hub id"], rows)
    lines += [
        "",
        f"Admitted by the policy `{manifest.get('policy', 'default')}`. The credits that "
        f"these licenses require are in [{ATTRIBUTION}]({ATTRIBUTION}), grouped by license "
        "and source; share-alike licenses bind what is made from their documents.",
    ]
    return lines


def _accounting(manifest: dict[str, Any]) -> list[str]:
    acc = manifest.get("accounting", {})
    dropped = acc.get("dropped", {})
    total = sum(n for reasons in dropped.values() for n in reasons.values())
    rows = [
        [f"`{stage}`", f"`{reason}`", n]
        for stage, reasons in dropped.items()
        for reason, n in reasons.items()
    ]
    lines = [
        "",
        "## Accounting",
        "",
        f"input {acc.get('input', 0):,} = kept {acc.get('kept', 0):,} + dropped {total:,}",
    ]
    if rows:
        lines += [""] + _table(["stage", "reason", "documents"], rows)
    lines += [
        "",
        f"Dropped documents are listed in `{REJECTED}/` with their provenance, stage and "
        "reason, never their text.",
    ]
    return lines


def _pii(manifest: dict[str, Any]) -> list[str]:
    params = _stage_params(manifest, "pii")
    lines = ["", "## Personal data", ""]
    if params is None:
        return lines + ["The `pii` stage did not run: texts are as their sources published them."]
    from corpus.pii.entities import NAME_TYPES, PATTERN_TYPES
    from corpus.stages.pii import NAME_MASKING_DEFAULTS

    masking = {**NAME_MASKING_DEFAULTS, **params.get("names_by_source", {})}
    sources = sorted(manifest.get("sources", {}))
    kept_names = [s for s in sources if not masking.get(s, params.get("names", True))]
    patterns = [t for t in PATTERN_TYPES if t.value != "CORPORATE_NUMBER"]
    if params.get("corporate_numbers"):
        patterns = list(PATTERN_TYPES)
    lines += [
        "Personal data found by patterns (with check digits where they exist) is replaced by "
        "typed placeholders in every document: "
        + ", ".join(f"`{t.placeholder}`" for t in patterns)
        + ".",
        "",
        f"Person names ({', '.join(f'`{t.placeholder}`' for t in NAME_TYPES)}) are masked "
        + (
            f"in every source except {', '.join(f'`{s}`' for s in kept_names)} "
            "(names in public-domain literature, laws and encyclopedias are not personal data)"
            if kept_names
            else "in every source"
        )
        + (", also found by GiNZA named-entity recognition." if params.get("ner") else "."),
        "",
        "Each row's `pii_redactions` counts the spans replaced and `pii_detail` counts them by "
        "type. The stage never drops a document.",
    ]
    return lines


def _dedup(manifest: dict[str, Any]) -> list[str]:
    params = _stage_params(manifest, "dedup")
    lines = ["", "## Deduplication", ""]
    if params is None:
        return lines + ["The `dedup` stage did not run: documents may repeat."]
    keep = params.get("keep", {}) or {}
    mode = "exact and near-duplicate" if params.get("near", True) else "exact"
    lines += [
        f"{mode.capitalize()} deduplication over the whole release: MinHash of character "
        f"{params.get('ngram')}-grams, {params.get('num_perm')} permutations, Jaccard "
        f"threshold {params.get('threshold')}, candidates verified by `{params.get('verify')}`. "
        f"Of each cluster one document is kept, preferring {', '.join(keep.get('prefer', [])) or 'the first'}; "
        f"{_dropped_by(manifest, 'dedup'):,} documents were dropped as duplicates. "
        "`dedup_cluster_id` and `dedup_cluster_size` record each kept document's cluster.",
    ]
    against = params.get("against") or []
    if against:
        lines += ["", "Also deduplicated against: " + ", ".join(f"`{a}`" for a in against) + "."]
    return lines


def _processing(manifest: dict[str, Any]) -> list[str]:
    stages = [next(iter(e)) for e in manifest.get("config", {}).get("stages", []) if e]
    lines = ["", "## Processing", ""]
    lines.append(
        "Stages, in order: reading, license gate"
        + "".join(f", `{s}`" for s in stages)
        + f". Every parameter is recorded under `config` in `{MANIFEST}`."
    )
    return lines


def _files(manifest: dict[str, Any]) -> list[str]:
    shards = manifest.get("shards", [])
    rows = [
        [
            f"`{s['path']}`",
            f"{s['rows']:,}",
            _human_bytes(int(s["bytes"])),
            f"`{s['sha256'][:16]}…`",
        ]
        for s in shards[:20]
    ]
    lines = ["", "## Files", ""]
    lines += _table(["file", "rows", "size", "sha256"], rows)
    if len(shards) > 20:
        lines.append(f"| … {len(shards) - 20} more, all listed in `{MANIFEST}` | | | |")
    lines += [
        "",
        f"- `{DATA_FILES}`: the kept documents (the `default` config, split `{SPLIT}`)",
        f"- `{REJECTED}/*.parquet`: every dropped document's id, provenance, stage and reason",
        f"- `{ATTRIBUTION}`: the credits the licenses require",
        f"- `{MANIFEST}`: configuration, tool versions, hashes, accounting",
    ]
    return lines


def _citation(manifest: dict[str, Any]) -> list[str]:
    key = _slug(f"jpcorpus-{manifest.get('name', 'release')}-{manifest.get('version', '')}")
    year = str(manifest.get("created_at", ""))[:4] or "????"
    return [
        "",
        "## Citation",
        "",
        f"Cite the release by its name, version and manifest digest, and credit the works "
        f"as [{ATTRIBUTION}]({ATTRIBUTION}) lists:",
        "",
        "```bibtex",
        f"@misc{{{key.replace('-', '_').replace('.', '_')},",
        f"  title  = {{{pretty_name(manifest)}}},",
        f"  year   = {{{year}}},",
        f"  note   = {{jpcorpus release, manifest sha256 {manifest.get('manifest_sha256', '')}}},",
        "}",
        "```",
    ]


def dataset_card(manifest: dict[str, Any]) -> str:
    """The README.md of the release ``manifest`` describes."""
    front = yaml.safe_dump(card_metadata(manifest), allow_unicode=True, sort_keys=False)
    body = [
        *_summary(manifest),
        *_loading(),
        *_sources(manifest),
        *_licenses(manifest),
        *_accounting(manifest),
        *_pii(manifest),
        *_dedup(manifest),
        *_processing(manifest),
        *_files(manifest),
        *_citation(manifest),
    ]
    return f"---\n{front}---\n\n" + "\n".join(body) + "\n"
