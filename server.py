"""WSGI entry point: `gunicorn server:app`.  Settings come from LDPUB_* environment variables.

The app opens the store lazily inside each worker, so gunicorn must not be run with
--preload (see ld/store/rdf.py for why).
"""

from ld.web import create_app

app = create_app()
