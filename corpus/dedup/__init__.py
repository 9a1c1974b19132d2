"""Exact and MinHash near-duplicate removal, run on Ray (the ``dedup`` stage).

* :mod:`~corpus.dedup.normalize` — the text form compared (NFKC, folded whitespace), exact hash
* :mod:`~corpus.dedup.minhash` — vectorized MinHash signatures equal to datasketch's
* :mod:`~corpus.dedup.lsh` — bands and rows (datasketch's optimiser), band keys
* :mod:`~corpus.dedup.components` — connected components by large-star / small-star rounds
* :mod:`~corpus.dedup.keep` — which duplicate survives
* :mod:`~corpus.dedup.job` — the distributed job: sign, bucket, verify, components, label,
  cluster, finalize
* :mod:`~corpus.dedup.tasks` — running the job's steps as Ray tasks (or in-process)
* :mod:`~corpus.dedup.index` — the signature index kept with a release (cross-release dedup,
  takedowns)
* :mod:`~corpus.dedup.evaluation` — the labelled near-duplicate set and its scoring
"""
