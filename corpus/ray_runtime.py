"""Starting or joining Ray — for the pipeline runner and the tokenizer alike.

The embedded local Ray (no address given) is private by default: every Ray
process binds to 127.0.0.1, no dashboard is started and no usage statistics are
reported. ``open_network=True`` lets a local Ray advertise the machine's address
(for attaching other nodes by hand). With an address (``--ray-address`` or
``RAY_ADDRESS``) the command joins that cluster.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

DEFAULT_OBJECT_STORE_BYTES = 2 * 1024**3
"""Cap on the embedded Ray's object store (Ray's own default takes 30% of RAM)."""

PRIVATE_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    # On Linux Ray advertises the machine's network address even when told 127.0.0.1;
    # with cluster mode off a local Ray uses loopback only.
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
}


def make_private() -> None:
    """Keep a local Ray on loopback and silent. Call before Ray starts."""
    os.environ.update(PRIVATE_ENV)
    import ray._private.ray_constants as constants

    # the constant is read when ray is first imported; keep it in step with the env
    constants.ENABLE_RAY_CLUSTER = False


def _use_cluster_token() -> None:
    """Present the cluster's auth token when one is available, as ``ray start`` does.

    A driver joining by address does not pick up ``~/.ray/auth_token`` on its own.
    """
    try:
        from ray._private.authentication.authentication_token_setup import (
            maybe_enable_token_auth_if_token_available,
        )
    except ImportError:  # Ray without token authentication
        return
    maybe_enable_token_auth_if_token_available(warn_if_disabled=False)


@contextlib.contextmanager
def ray_session(
    address: str | None = None,
    *,
    num_cpus: int | None = None,
    object_store_bytes: int = DEFAULT_OBJECT_STORE_BYTES,
    open_network: bool = False,
) -> Iterator[dict]:
    """Initialise Ray for the duration of a run; yields the cluster's resources.

    A Ray already initialised by the caller is used as is and left running.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    address = address or os.environ.get("RAY_ADDRESS") or None
    import ray

    if ray.is_initialized():
        yield ray.cluster_resources()
        return
    if address:
        _use_cluster_token()
        ray.init(
            address=address,
            log_to_driver=False,
            include_dashboard=False,
            logging_level=logging.WARNING,
        )
    else:
        if not open_network:
            make_private()
        ray.init(
            address="local",  # always a new private instance, never a cluster found on the machine
            num_cpus=num_cpus or os.cpu_count() or 1,
            object_store_memory=object_store_bytes,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
            _node_ip_address="127.0.0.1" if not open_network else None,
        )
    try:
        yield ray.cluster_resources()
    finally:
        ray.shutdown()
