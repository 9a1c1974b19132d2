"""Which URLs the crawler may connect to: http/https, public addresses only by default."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["AddressPolicy", "AddressRefused", "address_kind"]


class AddressRefused(ValueError):
    """The URL may not be fetched; ``reason`` is the rejected-record reason."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def address_kind(ip: str) -> str:
    """``public`` or the kind of non-public address.

    >>> address_kind("127.0.0.1"), address_kind("10.1.2.3"), address_kind("169.254.169.254")
    ('loopback', 'private', 'link-local')
    >>> address_kind("::ffff:127.0.0.1"), address_kind("93.184.216.34")
    ('loopback', 'public')
    """
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_multicast:
        return "multicast"
    if addr.is_private:
        return "private"
    if addr.is_reserved or not addr.is_global:
        return "reserved"
    return "public"


@dataclass(frozen=True)
class AddressPolicy:
    """Vets a URL before every connection (each redirect hop too).

    The host is resolved once and the connection is made to the vetted address, so a
    name cannot resolve to a public address when checked and a private one when used.
    """

    allow_private: bool = False

    def vet(self, url: str) -> tuple[str, int, str]:
        """``(host, port, ip)`` to connect to, or :class:`AddressRefused`.

        >>> AddressPolicy().vet("ftp://example.jp/")
        Traceback (most recent call last):
        ...
        pipelines.crawler.addresses.AddressRefused: only http and https URLs are fetched: ftp://example.jp/
        >>> AddressPolicy().vet("http://127.0.0.1:8000/")
        Traceback (most recent call last):
        ...
        pipelines.crawler.addresses.AddressRefused: 127.0.0.1 is a loopback address (http://127.0.0.1:8000/)
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise AddressRefused("scheme_refused", f"only http and https URLs are fetched: {url}")
        host = parts.hostname
        if not host:
            raise AddressRefused("bad_url", f"no host in {url}")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise AddressRefused("bad_url", f"{exc}: {url}") from exc
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise AddressRefused("dns_error", f"{host}: {exc}") from exc
        ips = list(dict.fromkeys(info[4][0] for info in infos))
        if not ips:
            raise AddressRefused("dns_error", f"{host}: no address")
        if not self.allow_private:
            for ip in ips:
                kind = address_kind(ip)
                if kind != "public":
                    raise AddressRefused(
                        f"address_refused:{kind}", f"{ip} is a {kind} address ({url})"
                    )
        return host, port, ips[0]
