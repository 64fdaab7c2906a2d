"""The buffering proxy a production deployment puts in front of `ldpub serve`.

gunicorn's sync workers read each request body themselves: a client that sends its body
slowly, or promises more bytes than it sends, holds a worker until the 30 s timeout, and
a handful of such connections stall the site.  nginx reads whole requests (headers and
bodies) with an event loop before it passes them on, so the workers only ever see
complete requests; gunicorn's own documentation recommends exactly this.  The
configuration below is what `ldpub nginx-config` prints and what the slow-client test
runs.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Settings

TEMPLATE = """# Written by `ldpub nginx-config`: nginx buffers every request before ldpub's workers see it.
# Run standalone: nginx -p {prefix} -c {prefix}/nginx.conf -g 'daemon off;'
worker_processes auto;
pid {prefix}/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    # Slow or lying clients wait here, not in a worker: the whole body is read first.
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 30s;
    reset_timedout_connection on;
    client_max_body_size 1m;           # ldpub answers 413 above 1 MiB anyway
    client_body_buffer_size 1m;        # bodies up to the limit stay in memory
    proxy_request_buffering on;
    proxy_buffering on;
    keepalive_timeout 65s;

    upstream ldpub {{
        server {upstream};
        keepalive 16;
    }}
{record_upstream}
    server {{
        listen {listen};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # Under overload a request waits in gunicorn's queue behind slow ones before a worker
        # takes it; nginx waits too, rather than answer 504 (a query's own timeout is ldpub's 503).
        proxy_read_timeout {read_timeout}s;

        location / {{
            proxy_pass http://ldpub;
        }}
{record_locations}    }}
}}
"""

QUEUE_SECONDS = 120  # how long nginx waits for an answer, queueing included

# With a record lane, dereference (/id/..., /doc/...) goes to workers of its own.
RECORD_UPSTREAM = """
    upstream ldpub_records {{
        server {upstream};
        keepalive 16;
    }}
"""
RECORD_LOCATIONS = """        location /id/ {
            proxy_pass http://ldpub_records;
        }
        location /doc/ {
            proxy_pass http://ldpub_records;
        }
"""


def nginx_config(settings: Settings, listen: str, prefix: Path) -> str:
    """A complete nginx.conf: `listen` is the public address, the upstream is `ldpub serve`'s."""
    lane = settings.record_port
    return TEMPLATE.format(
        prefix=Path(prefix).resolve(),
        listen=listen,
        upstream=f"{settings.host}:{settings.port}",
        record_upstream=RECORD_UPSTREAM.format(upstream=f"{settings.host}:{lane}") if lane else "",
        record_locations=RECORD_LOCATIONS if lane else "",
        read_timeout=max(QUEUE_SECONDS, settings.sparql_timeout + 20),
    )
