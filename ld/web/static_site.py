"""The nginx server block of a rendered site (`ldpub render`), and its njs negotiation.

nginx answers every record and document from files, negotiating with the njs module
(negotiate.js, the app's algorithm) and adding the headers the app adds; with an upstream
(`--upstream`, the production deployment) it passes what only the app can answer (search,
SPARQL, OAI-PMH, the change feed, anything not yet rendered) to `ldpub serve`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from ..uris import KEY, SCOPED_PERSON, SHARED_PATH, author_iri, thesis_iri
from .headers import CACHE_CONTROL, CSP, EXPOSED, link_header
from .negotiation import BY_TYPE, OFFERED, VARIANTS
from .theses import Links, cite_and_type, described_by

DYNAMIC = r"^/(search|sparql|oai|changes|browse|opensearch\.xml)"
SUFFIXES = "|".join(v.suffix for v in VARIANTS)

# Every answer carries these, errors included (the app adds them to all).
COMMON = f"""add_header Access-Control-Allow-Origin "*" always;
        add_header Access-Control-Expose-Headers "{EXPOSED}" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Content-Security-Policy $ldpub_csp always;"""
# A representation of a document: where it is, what else there is, how long to keep it.
DOCUMENT = f"""{COMMON}
        add_header Content-Location $uri;
        add_header Link $ldpub_links;
        add_header Vary $ldpub_vary;
        add_header Cache-Control "{CACHE_CONTROL}";"""
THESIS_DOCUMENT = f"""{COMMON}
        add_header Content-Location $uri;
        add_header Link '{{thesis_link}}';
        add_header Vary $ldpub_vary;
        add_header Cache-Control "{CACHE_CONTROL}";"""
SITE_DOCUMENT = f"""{COMMON}
        add_header Content-Location $uri;
        add_header Link $ldpub_others;
        add_header Vary $ldpub_vary;
        add_header Cache-Control "{CACHE_CONTROL}";"""
# The negotiated address of a document: 406, or the chosen file's address (Vary: Accept).
NEGOTIATE = """error_page 406 = @not_acceptable;
        if ($ldpub_variant = "") { return 406; }
        set $ldpub_negotiated 1;"""

TEMPLATE = """# Written by `ldpub render`: the rendered site, with the app's negotiation, 303s, 410s
# and headers.  Include it in nginx's http { } block; the main context must load njs
# (Debian: apt-get install libnginx-mod-http-js, which enables it), e.g.:
#   load_module modules/ngx_http_js_module.so;
#   http { include {out}/nginx.conf; }
js_path "{out}";
js_import ldpub_site from negotiate.js;
js_import ldpub_links from links.js;
js_set $ldpub_variant_js ldpub_site.variant;
js_set $ldpub_links ldpub_links.links;

map_hash_bucket_size 256;  # the Accept headers below are long keys
map_hash_max_size 4194304;  # a key per record whose authorship is not the usual (below)
# The app's choice for the Accept headers clients send most, worked out by `ldpub render`
# with the app's own negotiation; any other header is negotiated by negotiate.js.
map $http_accept $ldpub_variant {
    default $ldpub_variant_js;
{accept_map}
}

map $sent_http_content_type $ldpub_csp { ~^text/html "{csp}"; default ""; }

# A thesis's Link header is built here, without scripts: what only the record can say
# (authors by ISNI or ORCID, licence) is looked up by key where it differs from the usual
# (signposts.map, written by `ldpub render`; nginx reads it on start and reload).
map $ldpub_key $ldpub_signposts {
    default '{default_signposts}';
    include {out}/signposts.map;
}
map $ldpub_sfx $ldpub_others {
{others_map}
}
map $ldpub_negotiated $ldpub_vary { 1 Accept; default ""; }
map $arg_page $ldpub_page { "" ""; 1 ""; "~^([2-9]|[1-9][0-9]{1,5})$" .page-$1; default .page-invalid; }
{upstream_block}
server {
    listen {listen};
    root {site};
    absolute_redirect off;
    server_tokens off;
    charset utf-8;
    charset_types text/turtle text/plain application/xml application/rdf+xml;
    default_type application/octet-stream;
    types {
        text/turtle ttl; application/ld+json jsonld; application/n-triples nt; application/rdf+xml rdf;
        text/html html; application/xml xml; text/plain txt; text/css css; image/svg+xml svg;
        image/png png; image/x-icon ico; application/javascript js; application/gzip gz;
    }
    set $ldpub_negotiated "";

    location = / {
        {common}
        add_header Cache-Control "{cache_control}";
        try_files /index.html =404;
    }
    location ~ "^/id/thesis/(?<ldpub_key>{key})$" {
        error_page 418 = @thesis_gone;
        if (-f $document_root/.gone/thesis/$ldpub_key.ttl) { return 418; }
        if (-f $document_root/.gone/thesis/$ldpub_key.moved) { return 418; }
        {common}
        return 303 /doc/thesis/$ldpub_key;
    }
    location ~ "^/id/thesis/" {
        {common}
        js_content ldpub_site.thesis;
    }
    location @thesis_gone {
        {common}
        js_content ldpub_site.thesis;
    }
    location ~ "^/id/(person|org|degree|concept)/(.+)$" {
        {common}
        return 303 /doc/$1/$2;
    }
    location ~ "^(?<ldpub_stem>/doc/thesis/(?<ldpub_key>{key}))\\.(?<ldpub_sfx>{suffixes})$" {
        {thesis_document}
        try_files $uri @missing_document;
    }
    location ~ "^/doc/thesis/[^/]+\\.({suffixes})$" {
        {common}
        js_content ldpub_site.document;
    }
    location ~ "^/doc/(person|org|degree|concept)/.+\\.({suffixes})$" {
        {document}
        try_files $uri$ldpub_page @missing;
    }
    location ~ "^/doc/" {
        {negotiate}
        rewrite ^(.*)$ $1.$ldpub_variant last;
    }
    location ~ "^(?<ldpub_stem>/(def/index|shapes|void))\\.(?<ldpub_sfx>{suffixes})$" {
        {site_document}
    }
    location ~ "^/(shapes|void)$" {
        {negotiate}
        rewrite ^(.*)$ $1.$ldpub_variant last;
    }
    location = /.well-known/void {
        {negotiate}
        rewrite ^ /void.$ldpub_variant last;
    }
    location = /def/ {
        {negotiate}
        rewrite ^ /def/index.$ldpub_variant last;
    }
    location /def/ {
        {common}
        return 303 /def/;
    }
    location = /context.jsonld {
        {common}
        add_header Cache-Control "{cache_control}";
    }
    location ~ "^/(static/|dumps/|robots\\.txt$|sitemap(-[0-9]+)?\\.xml$)" {
        {common}
        try_files $uri $uri/index.html @missing;
    }
    location ~ "{dynamic}" {
        {dynamic_answer}
    }
    location / {
        {fallback}
    }
    location @missing_document {
        {missing_document}
    }
    location @missing {
        {common}
        js_content ldpub_site.document;
    }
    location @not_acceptable {
        {common}
        js_content ldpub_site.notAcceptable;
    }
}
"""

STANDALONE = """# Written by `ldpub render`: nginx running the rendered site on its own.
# Run: nginx -p {out} -c {out}/standalone.conf -g 'daemon off;'
load_module {module};
worker_processes auto;
pid {out}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path {out}/.nginx/body; proxy_temp_path {out}/.nginx/proxy;
    fastcgi_temp_path {out}/.nginx/fastcgi; uwsgi_temp_path {out}/.nginx/uwsgi; scgi_temp_path {out}/.nginx/scgi;
    keepalive_requests 100000;
    include {out}/nginx.conf;
}
"""
JS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"  # Debian's libnginx-mod-http-js

UPSTREAM = """
upstream ldpub_app {
    server %s;
    keepalive 16;
}
"""
PROXY = """proxy_pass http://ldpub_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 120s;"""
NO_APP = """default_type text/plain;
        return 503 "A static copy of the dataset: search, SPARQL, OAI-PMH and the change feed need ldpub serve.\\n";"""


# What clients send (browsers, crawlers, RDF libraries and tools), and each type alone.
COMMON_ACCEPTS = [
    "", "*/*", "text/*", "application/*", "*/*;q=0.1", "text/turtle", "application/ld+json", "application/n-triples",
    "application/rdf+xml", "text/html", "application/xhtml+xml", "application/json", "application/x-turtle",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/signed-exchange;v=b3,application/xml;q=0.9,*/*;q=0.8",
    "application/rdf+xml, text/rdf+xml, text/xml;q=0.9, text/plain;q=0.8, */*;q=0.5",
    "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,application/rdf+xml;q=0.7,*/*;q=0.5",
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,*/*;q=0.1",
    "application/rdf+xml,text/turtle;q=0.8,application/n-triples;q=0.6,*/*;q=0.1",
    "application/ld+json, application/json;q=0.5", "text/turtle, application/ld+json;q=0.9, */*;q=0.1",
]  # fmt: skip


def accept_map() -> str:
    """The map entries: each common Accept header and the suffix the app chooses ("" for 406)."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from .negotiation import negotiate

    lines = []
    for accept in COMMON_ACCEPTS:
        found = negotiate(Request(EnvironBuilder(headers={"Accept": accept} if accept else {}).get_environ()))
        lines.append(f'    "{accept}" "{found.suffix if found else ""}";')
    return "\n".join(lines)


def thesis_link(base: str) -> str:
    """A thesis's Link header as nginx variables: the app's entries, in the app's order."""
    thesis = thesis_iri(base, "$ldpub_key")
    return (link_header(cite_and_type(thesis)) + ", $ldpub_signposts" + link_header(described_by("$ldpub_key"))
            + ", $ldpub_others")  # fmt: skip


def default_signposts(base: str, licence: str) -> str:
    """The authorship entries of most records: the record's own author, the dataset's licence."""
    return signposts_segment([(author_iri(thesis_iri(base, "$ldpub_key")), "author", {}), (licence, "license", {})])


def signposts_segment(links: Links) -> str:
    """Authorship entries as they sit in the Link header: each followed by ", "."""
    return "".join(link_header([link]) + ", " for link in links)


def others_map() -> str:
    """Per variant, the Link entries of the other representations of $ldpub_stem."""
    lines = []
    for variant in VARIANTS:
        others = [(f"$ldpub_stem.{v.suffix}", "alternate", {"type": v.media_type}) for v in VARIANTS if v != variant]
        lines.append(f"    {variant.suffix} '{link_header(others)}';")
    return "\n".join(lines)


def site_config(out: Path, listen: str, upstream: str | None, base: str, licence: str) -> str:
    """The server block for the site rendered into `out` (absolute paths), listening on `listen`."""
    out = out.resolve()
    values = {
        "accept_map": accept_map(), "key": KEY.pattern, "thesis_document": THESIS_DOCUMENT,
        "site_document": SITE_DOCUMENT, "thesis_link": thesis_link(base), "others_map": others_map(),
        "default_signposts": default_signposts(base, licence),
        "out": str(out), "site": str(out / "site"), "listen": listen, "csp": CSP, "suffixes": SUFFIXES,
        "common": COMMON, "document": DOCUMENT, "negotiate": NEGOTIATE, "cache_control": CACHE_CONTROL,
        "dynamic": DYNAMIC, "upstream_block": UPSTREAM % upstream if upstream else "",
        "dynamic_answer": PROXY if upstream else NO_APP,
        "fallback": PROXY if upstream else COMMON + "\n        try_files $uri @missing;",
        # Not rendered yet (ingested since the last render), withdrawn or missing: the app has it.
        # nginx negotiated the suffix the app sees, so it says the answer varies.
        "missing_document": PROXY + "\n        add_header Vary $ldpub_vary always;" if upstream
        else COMMON + "\n        js_content ldpub_site.document;",
    }  # fmt: skip
    text = TEMPLATE
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def standalone_config(out: Path) -> str:
    """A whole nginx.conf around the server block, for running the site on its own."""
    return STANDALONE.replace("{out}", str(out.resolve())).replace("{module}", JS_MODULE)


def negotiation_script(site: Path, name: str = "negotiate.js") -> str:
    """negotiate.js (or links.js) with the app's variants, key forms and the site folder filled in."""
    values = {
        "@@OFFERED@@": json.dumps(OFFERED), "@@SUFFIX_OF@@": json.dumps({t: v.suffix for t, v in BY_TYPE.items()}),
        "@@KEY@@": json.dumps(KEY.pattern), "@@SCOPED_PERSON@@": json.dumps(SCOPED_PERSON.pattern),
        "@@SHARED_PATH@@": json.dumps(SHARED_PATH.pattern), "@@SITE@@": str(site.resolve()),
        "@@LINK_TYPES@@": json.dumps({v.suffix: v.media_type for v in VARIANTS}),
    }  # fmt: skip
    text = resources.files("ld").joinpath(f"web/{name}").read_text("utf-8")
    for name, value in values.items():
        text = text.replace(name, value)
    return text
