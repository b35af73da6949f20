"""Which addresses the fetcher may connect to.

A URL list (or a redirect in it) must not make the archiver a proxy into the operator's own
network: loopback, private, link-local (cloud metadata at 169.254.169.254), shared, multicast,
reserved and unspecified addresses are refused unless ``--allow-private``. The check runs on
the addresses a host name RESOLVES to, for every hop, and the fetcher then connects to that
very address, so neither a redirect nor a DNS answer that changes between check and connect
can reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class GuardError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def blocked_reason(ip: str | IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address, or None if it is."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        mapped = addr.ipv4_mapped or addr.sixtofour
        if mapped is not None:
            inner = blocked_reason(mapped)
            return f"{inner} (embedded in {addr})" if inner else None
        if addr in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64 of an IPv4 address
            inner = blocked_reason(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
            return f"{inner} (NAT64 {addr})" if inner else None
    checks = (
        ("loopback", addr.is_loopback),
        ("unspecified", addr.is_unspecified),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("private", addr.is_private),
        ("reserved", addr.is_reserved),
        ("not globally routable", not addr.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"{addr} is a {name} address"
    return None


def _getaddrinfo(host: str, port: int, timeout: float) -> list:
    """getaddrinfo with a time limit: the resolver has none of its own, and a stuck lookup
    must not hold a fetch worker forever (the lookup thread is a daemon and is abandoned)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["ok"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as e:
            box["err"] = e

    t = threading.Thread(target=run, daemon=True, name=f"resolve-{host}")
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise GuardError("dns-error", f"resolving {host!r} took longer than {timeout:g} s")
    if "err" in box:
        e = box["err"]
        raise GuardError("dns-error", f"cannot resolve {host!r}: {e}") from e  # type: ignore[misc]
    return box["ok"]  # type: ignore[return-value]


def resolve(host: str, port: int, timeout: float = 30.0) -> list[str]:
    """All addresses ``host`` resolves to, in resolver order, without duplicates."""
    infos = _getaddrinfo(host, port, timeout)
    seen: list[str] = []
    for info in infos:
        ip = str(info[4][0]).split("%")[0]
        if ip not in seen:
            seen.append(ip)
    if not seen:
        raise GuardError("dns-error", f"{host!r} resolved to no address")
    return seen


def pick_address(host: str, port: int, *, allow_private: bool, exempt: frozenset[str] = frozenset(),
                 timeout: float = 30.0) -> str:
    """The address to connect to for ``host:port``, or GuardError("private-address", …).

    A name that resolves to ANY refused address is refused as a whole: a host that answers
    with both a public and an internal address is exactly what a rebinding attack looks like.
    ``exempt`` holds ``ip:port`` strings the operator trusts despite the rule.
    """
    addrs = resolve(host, port, timeout)
    if allow_private:
        return addrs[0]
    for ip in addrs:
        if f"{ip}:{port}" in exempt:
            continue
        why = blocked_reason(ip)
        if why:
            raise GuardError("private-address", f"{host} resolves to {why}; refused (use --allow-private)")
    return addrs[0]
