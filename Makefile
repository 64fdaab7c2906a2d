# Two commands: `make demo` (set up, ingest the bundled samples, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# The browser tests drive Debian's Chromium, the slow-client test runs the documented nginx
# front and the rendered site (njs negotiation: libnginx-mod-http-js), the JSON-LD tests run
# jsonld.js under Node; installed when absent (root, or sudo).
SYSTEM := /usr/bin/chromium /usr/bin/chromedriver /usr/sbin/nginx /usr/lib/nginx/modules/ngx_http_js_module.so /usr/bin/npm
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo serve test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(SYSTEM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver nginx-light libnginx-mod-http-js $(if $(wildcard /usr/bin/npm),,npm)

demo: install
	$(VENV)/bin/ldpub demo

serve: install
	$(VENV)/bin/ldpub serve

# jsonld.js, the JavaScript JSON-LD processor: the tests expand ldpub's JSON-LD with it too.
JSONLD_JS := .node/node_modules/jsonld/package.json

$(JSONLD_JS): | /usr/bin/npm
	npm install --prefix .node --no-audit --no-fund --silent jsonld@8

test: install $(SYSTEM) $(JSONLD_JS)
	$(PY) -m ruff check ld tests bench server.py
	$(PY) -m ruff format --check ld tests bench server.py
	$(PY) -m pytest -q

# The serving benchmark also runs Oxigraph's server and gunicorn (the peers it is measured
# against, PyPI's `oxigraph` and `gunicorn`) and wrk (Debian) as the load generator, each
# server on the first core and wrk on the second, so that the load generator does not
# take turns with the server it measures (bench/README.md).
bench: install $(SYSTEM) /usr/bin/wrk
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/ingest_bench.py --rows 627000
	$(PY) bench/search_bench.py --rows 627000
	$(PY) bench/serve_bench.py --store bench/out/store --keys 20000 --connections 32 128 \
		--server-cpus 0 --client-cpus 1 --workers 1 --threads 1

/usr/bin/wrk:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk

clean:
	rm -rf $(VENV) .node data .pytest_cache .hypothesis
