"""Ray for the tokenizer's sampling tasks: use the caller's, join a cluster, or start a private one.

The same private defaults as the pipeline runner (loopback only, no dashboard, no
usage statistics), restated here because ``tokenizer`` may not import
``pipelines`` (DESIGN §7).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

OBJECT_STORE_BYTES = 512 * 1024**2
"""The sampling tasks pass only small statistics through the object store."""

PRIVATE_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


@contextlib.contextmanager
def ray_for_sampling(address: str | None = None, num_cpus: int | None = None) -> Iterator[None]:
    """A Ray initialised for the duration of the block; one already running is left as is."""
    address = address or os.environ.get("RAY_ADDRESS") or None
    if not address:
        os.environ.update(PRIVATE_ENV)
    import ray

    if ray.is_initialized():
        yield
        return
    if address:
        _use_cluster_token()
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    else:
        import ray._private.ray_constants as constants

        constants.ENABLE_RAY_CLUSTER = False  # read at import; keep it in step with the env
        ray.init(
            address="local",  # a new private instance, never a cluster found on the machine
            logging_level=logging.WARNING,
            num_cpus=num_cpus or os.cpu_count() or 1,
            object_store_memory=OBJECT_STORE_BYTES,
            include_dashboard=False,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",
        )
    try:
        yield
    finally:
        ray.shutdown()


def _use_cluster_token() -> None:
    """Present the cluster's auth token when one is available (a driver joining by
    address does not pick up ``~/.ray/auth_token`` on its own)."""
    try:
        from ray._private.authentication.authentication_token_setup import (
            maybe_enable_token_auth_if_token_available,
        )
    except ImportError:  # Ray without token authentication
        return
    maybe_enable_token_auth_if_token_available(warn_if_disabled=False)
