"""Schemathesis hooks for the CC-Gateway document.

A link carries the sign-in's whole `Set-GUID` value (`JSESSIONID=<guid>`) into the
`Guid` header; OpenAPI links cannot take a part of a header, so this hook sends only the
Guid, as every client does.
"""

import schemathesis

PREFIX = "JSESSIONID="


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    guid = headers.get("Guid")
    if isinstance(guid, str) and guid.startswith(PREFIX):
        headers["Guid"] = guid[len(PREFIX):]
        case.headers = headers
