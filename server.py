"""WSGI entry point for running the app under a WSGI server of your choice (`ldpub serve`
runs granian).  Settings come from LDPUB_* environment variables.

The app opens the store lazily inside each worker, so the server must not load the app
before it forks its workers (no `--preload`; see ld/store/rdf.py for why).
"""

from ld.web import create_app

app = create_app()
