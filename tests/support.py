"""Small checks and hostile values shared by several test modules."""

import re
from urllib.parse import urlsplit

# Redirect targets that must never take a person off the site.
HOSTILE_NEXT = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/path",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\\evil.example",
    "\\\\evil.example",
    "///evil.example",
    "https:evil.example",
    " //evil.example",
    "\t//evil.example",
    "//evil.example@testserver",
    "https://testserver@evil.example",
    "//%65vil.example",
    "https://evil.example/",
    "http://evil.example",
    "\x00//evil.example",
    "http:/\\/evil.example",
    "//[::1",
    "http://[/",
]


def stays_on_site(location: str, host: str = "testserver") -> bool:
    """Where a browser would go stays on this site, reading the URL as browsers
    do: outer spaces and controls trimmed, tabs and newlines dropped,
    backslashes taken for slashes."""
    url = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$", "", location)
    url = re.sub(r"[\t\n\r]", "", url).replace("\\", "/")
    if url.startswith("//"):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in {"http", "https"} and parts.netloc == host
