"""Which URLs the crawler may fetch: http(s) on public hosts, never an internal address.

Cited URLs are written by strangers, so a URL must not turn the crawler against the machine it
runs on or its network (server-side request forgery). A URL is refused when its scheme is not
http/https, when it carries user credentials, or when its host is a local-only name
(``localhost``, ``*.internal``, ...), an address that is not public, or a name that resolves to
one. Hosts are read the way browsers and proxies read them (WHATWG URL rules: percent-decoding,
UTS #46 mapping, the shorthand IPv4 forms ``127.1``, ``0x7f.1``, ``2130706433``), so no spelling
of an internal address slips through. This module is pure: the caller supplies the resolver.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import idna

__all__ = ["ALLOWED_SCHEMES", "Resolve", "UrlVerdict", "check_url", "parse_allowed_hosts"]

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Names that never leave the machine or the local network, whatever a resolver answers:
# RFC 6761 (localhost), RFC 6762 (.local, multicast DNS), RFC 8375 (home.arpa), ICANN's
# private-use .internal (2024), and the loopback aliases of Debian's /etc/hosts.
LOCAL_ONLY_NAMES = frozenset({"ip6-localhost", "ip6-loopback"})
LOCAL_ONLY_SUFFIXES = ("localhost", "localdomain", "local", "internal", "home.arpa")

# DNS allows underscores in labels even though host names should not have them.
_ASCII_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_MAX_NAME_LENGTH = 253
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the low 32 bits are an IPv4 address

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str], list[str]]


@dataclass(frozen=True)
class UrlVerdict:
    """Whether a URL may be fetched, and why, in words fit for the manifest's error field.

    ``lookup`` is the host name whose addresses are still unknown (the URL was checked without a
    resolver); ``None`` when the verdict is final.
    """

    allowed: bool
    reason: str
    lookup: str | None = None


class _HostError(ValueError):
    """A host that no parser reads the same way: refused rather than guessed at."""


def check_url(
    url: str, *, allowed_hosts: Iterable[str] = (), resolve: Resolve | None = None
) -> UrlVerdict:
    """The verdict on ``url``.

    ``allowed_hosts`` lists exceptions: host names (exact, case and trailing dot ignored) and IP
    addresses or networks (``10.1.2.3``, ``10.1.0.0/16``). ``resolve`` returns the addresses a
    host name resolves to; without one, or when the lookup fails, a name that is not local-only is
    allowed, because nothing says otherwise (the fetch itself will fail, or a proxy resolves it).
    """
    names, networks = parse_allowed_hosts(tuple(allowed_hosts))
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        raw_host = parts.hostname
        _ = parts.port  # raises on a port that is not a number in range
    except ValueError as exc:
        return UrlVerdict(False, f"not a valid URL ({exc})")
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        return UrlVerdict(False, f"the URL has {shown}, only http and https are fetched")
    if "@" in parts.netloc:
        return UrlVerdict(False, "the URL carries user credentials (user@host), a common disguise")
    if "\\" in parts.netloc:
        return UrlVerdict(False, "the host part holds a backslash, which parsers read differently")
    if not raw_host:
        return UrlVerdict(False, "the URL has no host")
    try:
        host, literal = _normalise_host(raw_host, bracketed=parts.netloc.startswith("["))
    except _HostError as exc:
        return UrlVerdict(False, f"the host {raw_host!r} is malformed ({exc})")

    if literal is not None:
        if _exempt(literal, networks):
            return UrlVerdict(True, f"{literal} is listed in the allowed hosts")
        kind = _internal_kind(literal)
        if kind:
            return UrlVerdict(False, f"{literal} is {kind}")
        return UrlVerdict(True, f"{literal} is a public address")

    if host in names:
        return UrlVerdict(True, f"{host} is listed in the allowed hosts")
    local = _local_only_suffix(host)
    if local:
        under = f" (every name under .{local} is)" if host != local else ""
        return UrlVerdict(False, f"{host} is a local-only name{under}")
    if resolve is None:
        return UrlVerdict(True, f"{host} is a public name (not resolved)", lookup=host)
    return _judge_addresses(host, resolve, networks)


@lru_cache(maxsize=32)
def parse_allowed_hosts(entries: tuple[str, ...]) -> tuple[frozenset[str], tuple[Network, ...]]:
    """Host names and networks of an allowed-hosts list; ValueError on an unreadable entry."""
    names: set[str] = set()
    networks: list[Network] = []
    for entry in entries:
        text = entry.strip().strip("[]")
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
            continue
        except ValueError:
            pass
        try:
            host, literal = _normalise_host(text, bracketed=False)
        except _HostError as exc:
            raise ValueError(f"unreadable allowed host {entry!r}: {exc}") from None
        if literal is not None:
            networks.append(ipaddress.ip_network(literal))
        else:
            names.add(host)
    return frozenset(names), tuple(networks)


def _judge_addresses(host: str, resolve: Resolve, networks: tuple[Network, ...]) -> UrlVerdict:
    try:
        addresses = resolve(host)
    except (OSError, UnicodeError, ValueError) as exc:
        return UrlVerdict(True, f"{host} could not be resolved ({exc}); the fetch decides")
    if not addresses:
        return UrlVerdict(True, f"{host} resolves to no address; the fetch decides")
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return UrlVerdict(False, f"{host} resolves to an unreadable address {text!r}")
        if _exempt(address, networks):
            continue
        kind = _internal_kind(address)
        if kind:
            return UrlVerdict(False, f"{host} resolves to {address}, which is {kind}")
    return UrlVerdict(True, f"{host} resolves to public addresses only")


def _normalise_host(raw: str, *, bracketed: bool) -> tuple[str, Address | None]:
    """The host as a lower-case ASCII name, and the address it spells if it is one."""
    if bracketed:
        try:
            return raw, ipaddress.IPv6Address(unquote(raw))  # a zone id arrives as %25
        except ValueError as exc:
            raise _HostError(f"not an IPv6 address: {exc}") from None
    text = unquote(raw)
    try:
        # UTS #46 folds full-width and other look-alike forms (ＬＯＣＡＬＨＯＳＴ, ①②⑦, 。).
        mapped = idna.uts46_remap(text, std3_rules=False, transitional=False)
    except idna.IDNAError as exc:
        raise _HostError(str(exc)) from None
    if mapped.endswith("."):
        mapped = mapped[:-1]  # one trailing dot is the absolute form of the same name
    address = _ipv4_address(mapped)
    if address is not None:
        return str(address), address
    if ":" in mapped:
        raise _HostError("an IPv6 address must be written in brackets")
    labels = mapped.split(".")
    ascii_labels = [_ascii_label(label) for label in labels]
    name = ".".join(ascii_labels)
    if len(name) > _MAX_NAME_LENGTH:
        raise _HostError("the name is longer than DNS allows")
    return name, None


def _ascii_label(label: str) -> str:
    if not label:
        raise _HostError("an empty label")
    if label.isascii():
        if not _ASCII_LABEL.fullmatch(label):
            raise _HostError(f"the label {label!r} holds characters a host name cannot have")
        return label
    try:
        return idna.alabel(label).decode("ascii")
    except idna.IDNAError as exc:
        raise _HostError(str(exc)) from None


def _ipv4_address(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``host`` spells, WHATWG style (also what ``inet_aton`` accepts).

    A host whose last label is a number is an address or invalid, never a name: ``127.1``,
    ``0x7f.0.0.1``, ``0177.0.0.1`` and ``2130706433`` all mean 127.0.0.1.
    """
    parts = host.split(".")
    if _ipv4_number(parts[-1]) is None:
        return None
    if len(parts) > 4:
        raise _HostError("a numeric host with more than four parts")
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        raise _HostError("a numeric host that is not an IPv4 address")
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise _HostError("an IPv4 address part out of range")
    value = values[-1]
    for index, number in enumerate(values[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    if not part:
        return None
    text, base = part.lower(), 10
    if text.startswith("0x"):
        text, base = text[2:], 16
    elif len(text) > 1 and text.startswith("0"):
        text, base = text[1:], 8
    if not text:
        return 0  # WHATWG reads a bare "0x" as zero
    digits = "0123456789abcdef"[:base]
    if not all(char in digits for char in text):
        return None
    return int(text, base)


def _local_only_suffix(host: str) -> str | None:
    """The local-only name ``host`` is or lies under, if any."""
    if host in LOCAL_ONLY_NAMES:
        return host
    return next(
        (suffix for suffix in LOCAL_ONLY_SUFFIXES if host == suffix or host.endswith("." + suffix)),
        None,
    )


def _exempt(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _internal_kind(address: Address) -> str | None:
    """What makes ``address`` internal ("a loopback address", ...), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        # Translated forms reach the IPv4 address they carry: judge that address instead.
        translated = address.ipv4_mapped
        if translated is None and address in _NAT64:
            translated = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if translated is not None:
            kind = _internal_kind(translated)
            return f"an IPv6 form of {translated}, {kind}" if kind else None
        tunnelled = address.sixtofour
        kind = _internal_kind(tunnelled) if tunnelled is not None else None
        if kind:
            return f"a 6to4 address of {tunnelled}, {kind}"
    checks = (
        (address.is_unspecified, "the unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
            "a site-local address",
        ),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    return next((kind for flagged, kind in checks if flagged), None)
