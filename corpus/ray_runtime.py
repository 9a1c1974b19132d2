"""Starting or joining Ray — for the pipeline runner and the tokenizer alike.

The embedded local Ray (no address given) is private by default: every Ray
process binds to 127.0.0.1, no dashboard is started and no usage statistics are
reported. ``open_network=True`` lets a local Ray advertise the machine's address
(for attaching other nodes by hand). With an address (``--ray-address`` or
``RAY_ADDRESS``) the command joins that cluster.

The console stays ours: Ray is configured so that its start-up notices do not arise
(token authentication is asked for explicitly instead of being switched on with a
warning), and workers' output is not streamed to the driver. ``verbose=True`` brings
Ray's own logging back.
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
    # token authentication, Ray's default for a new local instance, asked for by name so
    # that Ray does not announce having switched it on
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    import ray._private.ray_constants as constants

    # the constant is read when ray is first imported; keep it in step with the env
    constants.ENABLE_RAY_CLUSTER = False
    # Ray caches its configuration once per process: an earlier Ray in this process (a
    # cluster started with other settings) must not decide how this one authenticates
    _reload_ray_config()


def _reload_ray_config() -> None:
    """Make Ray's cached configuration see the environment again (as Ray does itself
    when it switches token authentication on)."""
    from ray._raylet import Config

    Config.initialize("")


def _use_cluster_token() -> None:
    """Present the cluster's auth token when one is available, as ``ray start`` does.

    A driver joining by address does not pick up ``~/.ray/auth_token`` on its own. The
    mode is set by name (``RAY_AUTH_MODE=token``), so Ray has nothing to announce.
    """
    if os.environ.get("RAY_AUTH_MODE") is not None:
        return
    try:
        from ray._raylet import AuthenticationTokenLoader
    except ImportError:  # Ray without token authentication
        return
    if AuthenticationTokenLoader.instance().has_token(ignore_auth_mode=True):
        os.environ["RAY_AUTH_MODE"] = "token"
        _reload_ray_config()


@contextlib.contextmanager
def ray_session(
    address: str | None = None,
    *,
    num_cpus: int | None = None,
    object_store_bytes: int = DEFAULT_OBJECT_STORE_BYTES,
    open_network: bool = False,
    verbose: bool = False,
) -> Iterator[dict]:
    """Initialise Ray for the duration of a run; yields the cluster's resources.

    A Ray already initialised by the caller is used as is and left running.
    ``verbose`` shows Ray's logs and the workers' output on the console.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    level = logging.INFO if verbose else logging.WARNING
    address = address or os.environ.get("RAY_ADDRESS") or None
    import ray

    if ray.is_initialized():
        yield ray.cluster_resources()
        return
    if address:
        _use_cluster_token()
        ray.init(
            address=address,
            log_to_driver=verbose,
            include_dashboard=False,
            logging_level=level,
        )
    else:
        if not open_network:
            make_private()
        ray.init(
            address="local",  # always a new private instance, never a cluster found on the machine
            num_cpus=num_cpus or os.cpu_count() or 1,
            object_store_memory=object_store_bytes,
            include_dashboard=False,
            log_to_driver=verbose,
            logging_level=level,
            _node_ip_address="127.0.0.1" if not open_network else None,
        )
    try:
        yield ray.cluster_resources()
    finally:
        ray.shutdown()
