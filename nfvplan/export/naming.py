"""Names that the deployment tools accept, derived from nfvplan's names in one way.

Kubernetes object names are DNS-1123 labels or subdomains, label values are at most 63
characters of `[A-Za-z0-9_.-]`, Heat resource names and Terraform resource names are
identifiers. nfvplan names are free text, so each is mapped here, and a clash between two
mapped names is an error the caller reports rather than two objects silently becoming one.
"""

from __future__ import annotations

import hashlib
import re

_NOT_DNS = re.compile(r"[^a-z0-9-]+")
_NOT_LABEL = re.compile(r"[^A-Za-z0-9_.-]+")
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]+")

DNS_LABEL_MAX = 63


def _shorten(name: str, limit: int, original: str) -> str:
    """`name` cut to `limit`, with a short hash of `original` so that cut names stay unique."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:8]
    return name[: limit - 9].rstrip("-_.") + "-" + digest


def dns_label(name: str, limit: int = DNS_LABEL_MAX) -> str:
    """A DNS-1123 label (lower case, digits, '-', alphanumeric at both ends) for `name`."""
    label = _NOT_DNS.sub("-", name.lower()).strip("-") or "x"
    return _shorten(label, limit, name).strip("-")


def label_value(name: str) -> str:
    """A Kubernetes label value for `name` (63 characters of [A-Za-z0-9_.-], alnum ends)."""
    value = _NOT_LABEL.sub("-", name).strip("-_.") or "x"
    return _shorten(value, DNS_LABEL_MAX, name).strip("-_.")


def identifier(name: str) -> str:
    """A resource name for Heat and Terraform: letters, digits and '_', not starting with a
    digit."""
    ident = _NOT_IDENT.sub("_", name).strip("_") or "x"
    return ident if not ident[0].isdigit() else "r_" + ident


def hostname_of(server_id: str) -> str:
    """The host name derived from a server id when no hosts file names it:
    `dc-north/nfvi-2s/1` -> `dc-north-nfvi-2s-1`."""
    return dns_label(server_id.replace("/", "-"))


def rack_label(site: str, rack: int) -> str:
    """The rack label value of a server: racks are numbered per site, so the site is part of it
    (rack 1 of two sites must not be one rack to the scheduler)."""
    return label_value(f"{site}.rack-{rack}")
