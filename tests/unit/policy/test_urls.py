"""The URL policy: every known spelling of an internal address is refused, public URLs pass."""

from __future__ import annotations

import socket

import pytest

from crawler.policy.urls import Resolve, check_url, parse_allowed_hosts

# (URL, a fragment the reason must contain)
REFUSED = [
    # Schemes Scrapy has handlers for (file, s3, ftp, data) and ones browsers run.
    ("file:///etc/passwd", "file:"),
    ("ftp://ftp.example.com/pub/file.txt", "ftp:"),
    ("s3://bucket/key", "s3:"),
    ("data:text/html,<p>hi</p>", "data:"),
    ("javascript:alert(1)", "javascript:"),
    ("gopher://127.0.0.1:25/", "gopher:"),
    ("//www.twz.com/air/", "no scheme"),
    # Loopback in every form a parser accepts.
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.0.0.1:9/secret", "127.0.0.1 is a loopback address"),
    ("http://2130706433/", "127.0.0.1 is a loopback address"),
    ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
    ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
    ("http://127.1/", "127.0.0.1 is a loopback address"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://017700000001/", "127.0.0.1 is a loopback address"),
    ("http://127.0.0.1./", "127.0.0.1 is a loopback address"),
    ("http://%31%32%37.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://①②⑦.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "IPv6 form of 127.0.0.1, a loopback address"),
    ("http://[::ffff:7f00:1]:8080/", "IPv6 form of 127.0.0.1, a loopback address"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "IPv6 form of 127.0.0.1"),
    ("http://[64:ff9b::7f00:1]/", "IPv6 form of 127.0.0.1"),
    ("http://[2002:7f00:1::1]/", "6to4 address of 127.0.0.1"),
    # Names of the local machine and network.
    ("http://localhost/", "localhost is a local-only name"),
    ("http://localhost:8080/admin", "localhost is a local-only name"),
    ("http://localhost./", "localhost is a local-only name"),
    ("http://LocalHost/", "localhost is a local-only name"),
    ("http://ｌｏｃａｌｈｏｓｔ/", "localhost is a local-only name"),
    ("http://localhost。/", "localhost is a local-only name"),
    ("http://admin.localhost/", "under .localhost"),
    ("http://metadata.google.internal/computeMetadata/v1/", "under .internal"),
    ("http://printer.local/", "under .local"),
    ("http://router.home.arpa/", "under .home.arpa"),
    ("http://localhost.localdomain/", "under .localdomain"),
    ("http://ip6-localhost/", "ip6-localhost is a local-only name"),
    # Userinfo tricks: the host is what follows the last @, but a reader sees the first name.
    ("http://evil@127.0.0.1/", "user credentials"),
    ("http://www.twz.com@127.0.0.1/", "user credentials"),
    ("http://user:pass@www.twz.com/", "user credentials"),
    ("http://127.0.0.1\\@www.twz.com/", "user credentials"),
    ("http://127.0.0.1\\.www.twz.com/", "backslash"),
    # Every other internal class.
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://[fec0::1]/", "site-local"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://240.0.0.1/", "reserved"),
    ("http://100.64.0.1/", "not a public address"),  # carrier-grade NAT, shared space
    ("http://[::ffff:10.1.2.3]/", "IPv6 form of 10.1.2.3, a private address"),
    # Hosts no two parsers read alike: refused, not guessed at.
    ("http://1.2.3.4.5/", "malformed"),
    ("http://256.0.0.1/", "malformed"),
    ("http://www.0x7f/", "malformed"),  # a numeric last label makes the host an address
    ("http://a..b/", "malformed"),
    ("http://[::1/", "not a valid URL"),
    ("http://www.twz.com:99999/", "not a valid URL"),
    ("http:///127.0.0.1/", "no host"),
]

ALLOWED = [
    "https://www.twz.com/air/f-47-program-office-lays-out-path-to-first-flight-in-2028",
    "HTTPS://WWW.TWZ.COM/air/",
    "https://breakingdefense.com./2025/05/",  # the absolute form of the same name
    "http://news.usni.org:8080/2025/02/11/",
    "https://bücher.example/",
    "https://xn--bcher-kva.example/",
    "https://cdn_assets.example.com/a.html",  # DNS tolerates underscores
    "http://8.8.8.8/",
    "http://[2606:4700:4700::1111]/",
    "http://[::ffff:8.8.8.8]/",  # an IPv4-mapped public address reaches a public address
    "https://www.twz.com/air/#@127.0.0.1",  # a fragment, not userinfo
    "https://www.twz.com/path?next=http://127.0.0.1/",  # the query is not the host
    "https://localhost.example.com/",  # "localhost" only as a label of a public name
    "http://127.0.0.0x1g/",  # not a number at the end: a (non-existent) name, as for browsers
]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_refused(url: str, why: str) -> None:
    verdict = check_url(url)
    assert not verdict.allowed, verdict
    assert why in verdict.reason
    assert verdict.lookup is None


@pytest.mark.parametrize("url", ALLOWED)
def test_public_urls_are_allowed(url: str) -> None:
    verdict = check_url(url)
    assert verdict.allowed, verdict


def test_a_name_is_left_for_the_resolver_in_its_dns_form() -> None:
    assert check_url("https://WWW.TWZ.COM./air/").lookup == "www.twz.com"
    assert check_url("https://bücher.example/").lookup == "xn--bcher-kva.example"
    assert check_url("http://8.8.8.8/").lookup is None  # an address needs no lookup


def _resolver(answers: dict[str, list[str]]) -> tuple[Resolve, list[str]]:
    """A resolver answering from ``answers``, and the list of names it was asked for."""
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        return answers[host]

    return resolve, asked


@pytest.mark.parametrize(
    ("addresses", "why"),
    [
        (["10.0.0.5"], "resolves to 10.0.0.5, which is a private address"),
        (["93.184.215.14", "127.0.0.1"], "resolves to 127.0.0.1, which is a loopback address"),
        (["2606:4700::1", "::1"], "resolves to ::1"),
        (["169.254.169.254"], "link-local"),
        (["::ffff:192.168.0.1"], "IPv6 form of 192.168.0.1"),
        (["not-an-address"], "unreadable address"),
    ],
)
def test_a_name_resolving_to_an_internal_address_is_refused(addresses: list[str], why: str) -> None:
    resolve, asked = _resolver({"rebind.example.com": addresses})
    verdict = check_url("https://rebind.example.com/a", resolve=resolve)
    assert not verdict.allowed
    assert why in verdict.reason
    assert asked == ["rebind.example.com"]


def test_a_name_resolving_to_public_addresses_only_is_allowed() -> None:
    resolve, _ = _resolver(
        {"www.twz.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]}
    )
    verdict = check_url("https://www.twz.com/", resolve=resolve)
    assert verdict.allowed
    assert verdict.lookup is None
    assert "public addresses only" in verdict.reason


@pytest.mark.parametrize(
    "error", [socket.gaierror(socket.EAI_NONAME, "Name or service not known"), TimeoutError()]
)
def test_a_lookup_failure_cannot_tell_so_the_url_is_allowed(error: Exception) -> None:
    def resolve(host: str) -> list[str]:
        raise error

    verdict = check_url("https://www.twz.com/", resolve=resolve)
    assert verdict.allowed
    assert "could not be resolved" in verdict.reason


def test_no_answer_is_allowed() -> None:
    assert check_url("https://www.twz.com/", resolve=lambda host: []).allowed


def test_names_refused_by_name_are_never_looked_up() -> None:
    resolve, asked = _resolver({})
    assert not check_url("http://localhost/", resolve=resolve).allowed
    assert not check_url("http://127.0.0.1/", resolve=resolve).allowed
    assert asked == []


@pytest.mark.parametrize(
    ("url", "allowed_hosts"),
    [
        ("http://wiki.internal/page", ["wiki.internal"]),
        ("http://WIKI.internal./page", ["wiki.internal."]),
        ("http://localhost:8080/", ["localhost"]),
        ("http://10.1.2.3/", ["10.1.2.3"]),
        ("http://10.1.2.3/", ["10.1.0.0/16"]),
        ("http://[fd00::5]/", ["fd00::/8"]),
        ("http://[fd00::5]/", ["[fd00::5]"]),
    ],
)
def test_allowed_hosts_are_exceptions(url: str, allowed_hosts: list[str]) -> None:
    assert not check_url(url).allowed
    verdict = check_url(url, allowed_hosts=allowed_hosts)
    assert verdict.allowed
    assert "allowed hosts" in verdict.reason


def test_an_exception_is_exact_and_never_lifts_the_scheme_rule() -> None:
    assert not check_url("http://10.2.0.1/", allowed_hosts=["10.1.0.0/16"]).allowed
    assert not check_url("http://other.internal/", allowed_hosts=["wiki.internal"]).allowed
    assert not check_url("http://a.wiki.internal/", allowed_hosts=["wiki.internal"]).allowed
    assert not check_url("file://localhost/etc/passwd", allowed_hosts=["localhost"]).allowed


def test_an_allowed_network_covers_resolved_addresses() -> None:
    def resolve(host: str) -> list[str]:
        return ["10.1.2.3"]

    assert not check_url("https://mirror.example.org/", resolve=resolve).allowed
    exempt = check_url(
        "https://mirror.example.org/", allowed_hosts=["10.1.0.0/16"], resolve=resolve
    )
    assert exempt.allowed


def test_unreadable_allowed_hosts_are_rejected() -> None:
    with pytest.raises(ValueError, match="unreadable allowed host"):
        parse_allowed_hosts(("bad host name",))
    names, networks = parse_allowed_hosts(("Wiki.Internal.", " 10.0.0.0/8 ", ""))
    assert names == frozenset({"wiki.internal"})
    assert [str(n) for n in networks] == ["10.0.0.0/8"]
