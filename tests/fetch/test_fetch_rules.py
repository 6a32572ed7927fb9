"""The fetcher's refusals: scheme, port, credentials, and every kind of non-global address,
answered by a scripted resolver; nothing refused is ever connected to."""

from __future__ import annotations

import ipaddress

import pytest

from qriskit.errors import FetchError, FetchRefused, QRISError
from qriskit.fetch import Allow, check_address, fetch

from .conftest import Connector, Origin, Resolver, body

PNG = b"\x89PNG\r\n\x1a\nnot really"


@pytest.mark.parametrize("url", [
    "ftp://public.test/qr.png",
    "file:///etc/passwd",
    "gopher://public.test/",
    "data:image/png;base64,AAAA",
    "javascript:alert(1)",
    "public.test/qr.png",
])
def test_only_http_and_https(url: str, resolver: Resolver, connector: Connector) -> None:
    with pytest.raises(FetchRefused) as info:
        fetch(url, resolver=resolver, connector=connector)
    assert info.value.code == "fetch.scheme"
    assert resolver.calls == [] and connector.calls == []


@pytest.mark.parametrize("url", ["http://public.test:8080/", "https://public.test:22/", "http://public.test:0/x"])
def test_only_ports_80_and_443_and_before_any_lookup(url: str, resolver: Resolver, connector: Connector) -> None:
    with pytest.raises(FetchRefused) as info:
        fetch(url, resolver=resolver, connector=connector)
    assert info.value.code in ("fetch.port", "fetch.url")
    assert resolver.calls == [] and connector.calls == []


def test_explicit_default_ports_are_fine(origin: Origin, resolver: Resolver, connector: Connector) -> None:
    origin.routes["/a"] = body(PNG)
    assert fetch("http://public.test:80/a", resolver=resolver, connector=connector).content == PNG
    assert connector.calls == [("93.184.216.34", 80)]


@pytest.mark.parametrize("url", ["http://user:pw@public.test/", "http://user@public.test/", "http:///nohost",
                                 "http://public.test/a b", "http://public.test/\r\nX-Injected: 1"])
def test_malformed_urls_and_credentials(url: str, resolver: Resolver, connector: Connector) -> None:
    with pytest.raises(FetchRefused) as info:
        fetch(url, resolver=resolver, connector=connector)
    assert info.value.code == "fetch.url"
    assert connector.calls == []


REFUSED = {
    # IPv4
    "127.0.0.1": "loopback",
    "127.5.6.7": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.10": "private",
    "169.254.169.254": "link-local",  # cloud metadata
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "100.64.0.1": "shared",
    "100.127.255.254": "shared",
    "0.0.0.0": "unspecified",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "192.0.2.1": "reserved",  # documentation
    "198.18.0.1": "reserved",  # benchmarking
    # IPv6
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fd12:3456::1": "private",
    "ff02::1": "multicast",
    "ff0e::1": "multicast",
    "2001:db8::1": "reserved",
    # IPv4 hidden in IPv6
    "::ffff:127.0.0.1": "IPv4-mapped",
    "::ffff:10.0.0.1": "IPv4-mapped",
    "::ffff:169.254.169.254": "IPv4-mapped",
    "64:ff9b::7f00:1": "NAT64",
    "64:ff9b::a9fe:a9fe": "NAT64",
    "64:ff9b:1::a00:1": "local-use NAT64",
    "2002:7f00:1::": "6to4",
    "2002:c0a8:101::1": "6to4",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": "Teredo",
    "::7f00:1": "IPv4-compatible",
}


@pytest.mark.parametrize("address", sorted(REFUSED))
def test_non_global_answers_are_refused_before_connecting(address: str, connector: Connector) -> None:
    resolver = Resolver({"evil.test": [address]})
    with pytest.raises(FetchRefused) as info:
        fetch("http://evil.test/qr.png", resolver=resolver, connector=connector)
    assert info.value.code == "fetch.address"
    assert REFUSED[address].split()[0].lower() in str(info.value).lower()
    assert connector.calls == []


@pytest.mark.parametrize("address", sorted(REFUSED))
def test_literal_addresses_in_the_url_are_refused_without_a_lookup(address: str, resolver: Resolver,
                                                                    connector: Connector) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchRefused) as info:
        fetch(f"http://{host}/qr.png", resolver=resolver, connector=connector)
    assert info.value.code == "fetch.address"
    assert resolver.calls == [] and connector.calls == []


@pytest.mark.parametrize("address", ["::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1"])
def test_ipv6_forms_of_a_global_ipv4_address_pass(address: str, origin: Origin, connector: Connector) -> None:
    origin.routes["/qr.png"] = body(PNG)
    resolver = Resolver({"v6.test": [address]})
    assert fetch("http://v6.test/qr.png", resolver=resolver, connector=connector).content == PNG
    assert connector.calls == [(str(ipaddress.ip_address(address)), 80)]


def test_a_mixed_answer_is_refused_whole(connector: Connector) -> None:
    resolver = Resolver({"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(FetchRefused) as info:
        fetch("http://mixed.test/", resolver=resolver, connector=connector)
    assert "10.0.0.7" in str(info.value)
    assert connector.calls == []  # not even the public one


def test_rebinding_cannot_swap_the_address_after_the_check(origin: Origin, connector: Connector) -> None:
    origin.routes["/qr.png"] = body(PNG)
    rebinding = Resolver({"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
    got = fetch("http://rebind.test/qr.png", resolver=rebinding, connector=connector)
    assert got.content == PNG and got.address == "93.184.216.34"
    assert rebinding.calls == [("rebind.test", 80)]  # resolved once
    assert connector.calls == [("93.184.216.34", 80)]  # and connected to what was checked
    assert origin.seen[-1]["host"] == "rebind.test"  # the Host header keeps the name


def test_rebinding_on_the_second_fetch_is_refused(origin: Origin, connector: Connector) -> None:
    origin.routes["/qr.png"] = body(PNG)
    rebinding = Resolver({"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
    fetch("http://rebind.test/qr.png", resolver=rebinding, connector=connector)
    with pytest.raises(FetchRefused):
        fetch("http://rebind.test/qr.png", resolver=rebinding, connector=connector)
    assert len(connector.calls) == 1


def test_an_unknown_name_is_a_resolve_error(resolver: Resolver, connector: Connector) -> None:
    with pytest.raises(FetchError) as info:
        fetch("http://nowhere.test/", resolver=resolver, connector=connector)
    assert info.value.code == "fetch.resolve" and not isinstance(info.value, FetchRefused)
    assert isinstance(info.value, QRISError)


def test_an_empty_answer_is_a_resolve_error(connector: Connector) -> None:
    with pytest.raises(FetchError) as info:
        fetch("http://empty.test/", resolver=Resolver({"empty.test": []}), connector=connector)
    assert info.value.code == "fetch.resolve"


def test_international_names_are_looked_up_in_their_ascii_form(origin: Origin, connector: Connector) -> None:
    origin.routes["/"] = body(PNG)
    ascii_name = "toké-sejahtera.test".encode("idna").decode()
    assert ascii_name.startswith("xn--")
    resolver = Resolver({ascii_name: ["93.184.216.34"]})
    fetch("http://toké-sejahtera.test/", resolver=resolver, connector=connector)
    assert resolver.calls == [(ascii_name, 80)]


# --------------------------------------------------------------------------- allow-list


def test_allow_entries_parse() -> None:
    assert Allow.parse("192.168.1.0/24") == Allow(ipaddress.ip_network("192.168.1.0/24"), None)
    assert Allow.parse("192.168.1.10:8080") == Allow(ipaddress.ip_network("192.168.1.10/32"), 8080)
    assert Allow.parse("[fd00::/8]:8443") == Allow(ipaddress.ip_network("fd00::/8"), 8443)
    assert Allow.parse("fd00::/8") == Allow(ipaddress.ip_network("fd00::/8"), None)
    assert str(Allow.parse("10.0.0.0/8:81")) == "10.0.0.0/8:81"
    assert str(Allow.parse("[fd00::/8]:81")) == "[fd00::/8]:81"
    for bad in ("10.0.0.0/33", "10.0.0.0/8:99999", "10.0.0.0/8:http", "10.0.0.0/8:¹", "[fd00::/8", "[fd00::/8]x",
                "nonsense"):
        with pytest.raises(ValueError, match="allow entry"):
            Allow.parse(bad)


def test_allow_lets_a_lan_through_on_the_default_ports_only(origin: Origin, connector: Connector) -> None:
    origin.routes["/qr.png"] = body(PNG)
    resolver = Resolver({"printer.lan": ["192.168.1.20"]})
    got = fetch("http://printer.lan/qr.png", resolver=resolver, connector=connector, allow=["192.168.1.0/24"])
    assert got.content == PNG
    with pytest.raises(FetchRefused) as info:
        fetch("http://printer.lan:8080/qr.png", resolver=resolver, connector=connector, allow=["192.168.1.0/24"])
    assert info.value.code == "fetch.port"
    with pytest.raises(FetchRefused) as info:
        fetch("http://printer.lan/qr.png", resolver=resolver, connector=connector, allow=["192.168.2.0/24"])
    assert info.value.code == "fetch.address"


def test_allow_with_a_port_permits_that_port(origin: Origin, connector: Connector) -> None:
    origin.routes["/qr.png"] = body(PNG)
    resolver = Resolver({"pos.lan": ["10.0.0.5"]})
    got = fetch("http://pos.lan:8080/qr.png", resolver=resolver, connector=connector,
                allow=[Allow.parse("10.0.0.5:8080")])
    assert got.content == PNG and connector.calls == [("10.0.0.5", 8080)]
    with pytest.raises(FetchRefused):  # the entry names 8080: port 80 is not included
        fetch("http://pos.lan/qr.png", resolver=resolver, connector=connector, allow=["10.0.0.5:8080"])


def test_check_address_directly() -> None:
    assert str(check_address("93.184.216.34", 443)) == "93.184.216.34"
    with pytest.raises(FetchRefused, match="port 25"):
        check_address("93.184.216.34", 25)
    with pytest.raises(FetchRefused, match="not an IP address"):
        check_address("example.com", 80)
    with pytest.raises(FetchRefused, match="link-local"):
        check_address("fe80::1%eth0", 80)
    assert str(check_address("127.0.0.1", 9000, [Allow.parse("127.0.0.0/8:9000")])) == "127.0.0.1"


def test_bad_arguments_are_type_and_value_errors() -> None:
    with pytest.raises(TypeError):
        fetch(b"http://public.test/")  # type: ignore[arg-type]
    for kwargs in ({"max_bytes": 0}, {"timeout": 0}, {"max_redirects": -1}, {"timeout": True}):
        with pytest.raises(ValueError):
            fetch("http://public.test/", **kwargs)  # type: ignore[arg-type]
