"""The visitor's own address, as far as we can believe it.

Behind the TLS proxy every request arrives from the proxy's address, so REMOTE_ADDR alone
would give all visitors one rate limit, and let one outsider lock a staff member out for
everyone. X-Forwarded-For is believed only when REMOTE_ADDR is one of TRUSTED_PROXIES, and
then only as far as the proxies we trust wrote it: walking from its right end, the first
address that is not a trusted proxy is the client. Anything left of that was written by the
client itself and may be invented.

Not django-ipware: its 8.0.0 release (python-ipware 4.1.1) does accept CIDR ranges, but it
reads its trusted list by position (one entry per hop, compared in order with the end of
X-Forwarded-For) and never checks REMOTE_ADDR. A client that connects directly and sends
"X-Forwarded-For: <any address>, 10.0.0.5" is believed, and the usual nginx header (the
client alone, the proxy being REMOTE_ADDR) gives no address at all. Both were tried.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache  # settings rarely change; tests that change them get a new tuple
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES parsed: each entry an address ("10.0.0.5") or a range ("10.0.0.0/8")."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR range") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.count(":") == 1:
        text = text.partition(":")[0]  # "198.51.100.7:51234": some proxies add the client's port
    text = text.removeprefix("[").split("]")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket ("::ffff:198.51.100.7") is that IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The address the rate limits and sign-in lockout are keyed on."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    nearest = _address(remote)
    if not _trusted(nearest, networks):
        # A client talking to us directly: whatever X-Forwarded-For it sends is its own invention.
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            # A trusted proxy writes real addresses; garbage here came from elsewhere. The last
            # proxy we trust is the best we know, so such requests share its limit.
            break
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)


class ForwardedProtoMiddleware:
    """Believe `X-Forwarded-Proto` only from a trusted proxy. Django's SECURE_PROXY_SSL_HEADER
    trusts the header from whoever sends it; a client that reaches the app directly could
    otherwise claim HTTPS and get secure-only behaviour (HSTS, "secure" CSRF origin checks) on
    plain HTTP. First in MIDDLEWARE, before anything asks request.is_secure()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "HTTP_X_FORWARDED_PROTO" in request.META:
            networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
            if not _trusted(_address(request.META.get("REMOTE_ADDR", "")), networks):
                del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
