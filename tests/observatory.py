"""Mozilla HTTP Observatory's v2 scoring, re-implemented for the test client.

The Observatory (https://developer.mozilla.org/en-US/observatory) fetches a page over HTTPS
and over HTTP, runs one test per header and scores it: it starts at 100, adds each test's
modifier, and grants the bonuses only when the penalties alone leave at least 90. This module
applies the same rules (its scoring table, algorithm version 6: the twelve tests below, COOP
and COEP included) to responses of Django's test client, so a test can require a score.
`score(...)` also reports what version 5 (before COOP and COEP counted) would give.

It follows the Observatory's rules for what this site can send; it does not fetch anything
or check certificates, and a site cannot be on the HSTS preload list in a test.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

SIX_MONTHS = 15_552_000
DANGEROUSLY_BROAD = {
    "ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*",
}  # fmt: skip
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
PRIVATE_REFERRERS = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRERS = {
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
}

MODIFIERS = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "csp-not-implemented-but-reporting-enabled": -25,
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 5,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    "cross-origin-resource-policy-not-implemented": 0,
    "cross-origin-resource-policy-implemented-with-same-origin": 10,
    "cross-origin-resource-policy-implemented-with-same-site": 10,
    "cross-origin-resource-policy-implemented-with-cross-origin": 0,
    "cross-origin-resource-policy-header-invalid": -5,
    "coep-not-implemented": 0,
    "coep-implemented-with-require-corp": 10,
    "coep-implemented-with-credentialless": 10,
    "coep-implemented-with-unsafe-none": 0,
    "coep-header-invalid": -5,
    "coop-not-implemented": 0,
    "coop-implemented-with-same-origin": 10,
    "coop-implemented-with-same-origin-allow-popups": 10,
    "coop-implemented-with-noopener-allow-popups": 10,
    "coop-implemented-with-unsafe-none": 0,
    "coop-header-invalid": -5,
}
ADDED_IN_VERSION_6 = ("cross-origin-embedder-policy", "cross-origin-opener-policy")


@dataclass
class Cookie:
    name: str
    secure: bool = False
    httponly: bool = False
    samesite: str = ""


@dataclass
class Scan:
    """What the Observatory looks at: the HTTPS response, its HTML, the answer to the same
    URL over plain HTTP (its redirect chain) and every cookie set along the way."""

    headers: dict
    html: str = ""
    content_type: str = "text/html"
    http_chain: list = field(default_factory=list)  # [(url, status)], first is the http:// URL
    cookies: list = field(default_factory=list)
    cors_allow_origin: str | None = None
    cors_allow_credentials: bool = False
    hostname: str = "testserver"


def header(scan, name):
    for key, value in scan.headers.items():
        if key.lower() == name.lower():
            return value
    return None


def parse_csp(policy):
    """{directive: set of sources}; raises ValueError like the Observatory's parser."""
    directives = {}
    for part in policy.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in directives and name not in {"report-uri", "report-to"}:
            raise ValueError(f"duplicate directive {name}")
        sources = {token.lower() for token in tokens[1:]}
        if not sources and name.endswith("-src"):
            sources = {"'none'"}
        directives.setdefault(name, sources)
    return directives


def csp_test(scan):
    raw = header(scan, "Content-Security-Policy")
    if not raw:
        if header(scan, "Content-Security-Policy-Report-Only"):
            return "csp-not-implemented-but-reporting-enabled", None
        return "csp-not-implemented", None
    if "," in raw or len(raw.strip()) < 6:
        return "csp-header-invalid", None  # one policy is all this site sends
    try:
        csp = parse_csp(raw)
    except ValueError:
        return "csp-header-invalid", None
    default = csp.get("default-src")
    object_src = set(csp.get("object-src") or default or {"*"})
    script_src = set(csp.get("script-src") or default or {"*"})
    style_src = set(csp.get("style-src") or default or {"*"})
    for sources in (script_src, style_src):
        if any(s.startswith(NONCES_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    if "'strict-dynamic'" in script_src:
        if not any(s.startswith(NONCES_HASHES) for s in script_src):
            return "csp-header-invalid", csp
        script_src = {
            s
            for s in script_src
            if s not in {"'self'", "'unsafe-inline'"} and not s.startswith(tuple(DANGEROUSLY_BROAD))
        }
    active = [
        s for d, v in csp.items() if d not in {"img-src", "media-src", "script-src"} for s in v
    ]
    active += script_src
    passive = [s for d in ("img-src", "media-src") for s in (csp.get(d) or default or set())]
    if script_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or object_src & DANGEROUSLY_BROAD:
        return "csp-implemented-with-unsafe-inline", csp
    if any(s.startswith(("http:", "ftp:")) for s in active):
        return "csp-implemented-with-insecure-scheme", csp
    if "'unsafe-eval'" in script_src | style_src:
        return "csp-implemented-with-unsafe-eval", csp
    if any(s.startswith(("http:", "ftp:")) for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", csp
    if style_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", csp
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none", csp
    return "csp-implemented-with-no-unsafe", csp


def hsts_test(scan):
    raw = header(scan, "Strict-Transport-Security")
    if not raw:
        return "hsts-not-implemented"
    if "," in raw:
        return "hsts-header-invalid"
    max_age = None
    for parameter in (p.strip().lower() for p in raw.split(";")):
        if parameter.startswith("max-age="):
            try:
                max_age = int(parameter[8:128])
            except ValueError:
                return "hsts-header-invalid"
    if max_age is None:
        return "hsts-header-invalid"
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


COOKIE_ORDER = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


def cookies_test(scan):
    if not scan.cookies:
        return "cookies-not-found"
    hsts = hsts_test(scan) == "hsts-implemented-max-age-at-least-six-months"
    worst = None

    def worse(result):
        nonlocal worst
        if worst is None or COOKIE_ORDER.index(result) > COOKIE_ORDER.index(worst):
            worst = result

    missing_samesite = False
    for cookie in scan.cookies:
        session = any(word in cookie.name.lower() for word in ("login", "sess"))
        anticsrf = "csrf" in cookie.name.lower()
        samesite = cookie.samesite.lower()
        if samesite and samesite not in {"lax", "strict", "none"}:
            worse("cookies-samesite-flag-invalid")
        if not cookie.secure and samesite == "none":
            worse("cookies-samesite-flag-invalid")
        if not cookie.secure:
            worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag"
            )
        if anticsrf and not samesite:
            worse("cookies-anticsrf-without-samesite-flag")
        if session and not cookie.secure:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-session-without-secure-flag"
            )
        if session and not cookie.httponly:
            worse("cookies-session-without-httponly-flag")
        missing_samesite = missing_samesite or not samesite
    if worst:
        return worst
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions"
    return "cookies-secure-with-httponly-sessions-and-samesite"


def cors_test(scan):
    allow = (scan.cors_allow_origin or "").strip().lower()
    if not allow:
        return "cross-origin-resource-sharing-not-implemented"
    if allow == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    if scan.cors_allow_credentials:
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection_test(scan):
    chain = scan.http_chain
    if not chain:
        return "redirection-not-needed-no-http"
    if len(chain) == 1:
        return "redirection-missing"
    urls = [urlsplit(url) for url, _status in chain]
    if urls[-1].scheme != "https":
        return "redirection-not-to-https"
    if urls[1].scheme == "http":
        return "redirection-not-to-https-on-initial-redirection"
    if urls[0].hostname != urls[1].hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_test(scan):
    raw = header(scan, "Referrer-Policy")
    if not raw:
        return "referrer-policy-not-implemented"
    valid = [
        v.strip().lower()
        for v in raw.split(",")
        if v.strip().lower() in PRIVATE_REFERRERS | UNSAFE_REFERRERS
    ]
    policy = valid[-1] if valid else ""
    if policy in PRIVATE_REFERRERS:
        return "referrer-policy-private"
    if policy in UNSAFE_REFERRERS:
        return "referrer-policy-unsafe"
    return "referrer-policy-header-invalid"


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri_test(scan):
    if scan.content_type.split(";")[0].strip() not in {"text/html", "application/xhtml+xml"}:
        return "sri-not-implemented-response-not-html"
    parser = Scripts()
    parser.feed(scan.html)
    if not parser.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    order = [
        "sri-implemented-and-all-scripts-loaded-securely",
        "sri-implemented-and-external-scripts-loaded-securely",
        "sri-implemented-but-external-scripts-not-loaded-securely",
        "sri-not-implemented-but-external-scripts-loaded-securely",
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
        "sri-not-implemented-response-not-html",
    ]
    result = None
    foreign = False

    def worse(candidate):
        nonlocal result
        if result is None or order.index(candidate) > order.index(result):
            result = candidate

    site_domain = ".".join(scan.hostname.split(".")[-2:])
    for script in parser.scripts:
        src = script.get("src")
        if not src:
            continue
        integrity = script.get("integrity")
        if re.match(r"^//[^/]", src):  # protocol-relative: counted as foreign
            secure_origin, secure_scheme = False, False
        elif re.match(r"^https?://", src):
            host = urlsplit(src).hostname or ""
            secure_origin = ".".join(host.split(".")[-2:]) == site_domain
            secure_scheme = src.startswith("https:")
        else:  # a path on this (HTTPS) site
            secure_origin, secure_scheme = True, True
        if not secure_origin:
            foreign = True
            if integrity and not secure_scheme:
                worse("sri-implemented-but-external-scripts-not-loaded-securely")
            elif not integrity and secure_scheme:
                worse("sri-not-implemented-but-external-scripts-loaded-securely")
            elif not integrity:
                worse("sri-not-implemented-and-external-scripts-not-loaded-securely")
        elif integrity and secure_scheme and result is None:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if result is None:
        return (
            "sri-implemented-and-external-scripts-loaded-securely"
            if foreign
            else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
        )
    return result


def nosniff_test(scan):
    raw = header(scan, "X-Content-Type-Options")
    if not raw:
        return "x-content-type-options-not-implemented"
    if raw.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


def frame_options_test(scan, csp):
    if csp and "frame-ancestors" in csp:
        return "x-frame-options-implemented-via-csp"
    raw = header(scan, "X-Frame-Options")
    if not raw:
        return "x-frame-options-not-implemented"
    value = raw.strip().lower()
    if value in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny"
    if value.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def corp_test(scan):
    raw = header(scan, "Cross-Origin-Resource-Policy")
    if not raw:
        return "cross-origin-resource-policy-not-implemented"
    value = raw[:256].strip().lower()
    return {
        "same-site": "cross-origin-resource-policy-implemented-with-same-site",
        "same-origin": "cross-origin-resource-policy-implemented-with-same-origin",
        "cross-origin": "cross-origin-resource-policy-implemented-with-cross-origin",
    }.get(value, "cross-origin-resource-policy-header-invalid")


def token_test(scan, name, prefix, values):
    raw = header(scan, name)
    if not raw:
        return f"{prefix}-not-implemented"
    value = raw.split(";")[0].strip()
    if value in values:
        return f"{prefix}-implemented-with-{value}"
    return f"{prefix}-header-invalid"


def results(scan):
    """{test name: result} for the twelve tests."""
    csp_result, csp = csp_test(scan)
    return {
        "content-security-policy": csp_result,
        "cookies": cookies_test(scan),
        "cross-origin-embedder-policy": token_test(
            scan,
            "Cross-Origin-Embedder-Policy",
            "coep",
            {"require-corp", "credentialless", "unsafe-none"},
        ),
        "cross-origin-opener-policy": token_test(
            scan,
            "Cross-Origin-Opener-Policy",
            "coop",
            {"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"},
        ),
        "cross-origin-resource-sharing": cors_test(scan),
        "redirection": redirection_test(scan),
        "referrer-policy": referrer_test(scan),
        "strict-transport-security": hsts_test(scan),
        "subresource-integrity": sri_test(scan),
        "x-content-type-options": nosniff_test(scan),
        "x-frame-options": frame_options_test(scan, csp),
        "cross-origin-resource-policy": corp_test(scan),
    }


def total(outcomes):
    with_bonus = 100 + sum(MODIFIERS[result] for result in outcomes.values())
    penalties = 100 + sum(min(0, MODIFIERS[result]) for result in outcomes.values())
    return with_bonus if penalties >= 90 else max(0, penalties)


def score(scan):
    """(score, score under algorithm version 5, {test: result})."""
    outcomes = results(scan)
    older = {test: result for test, result in outcomes.items() if test not in ADDED_IN_VERSION_6}
    return total(outcomes), total(older), outcomes
