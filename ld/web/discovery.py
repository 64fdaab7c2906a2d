"""Documents about the service itself: the JSON-LD context, the vocabulary, the shapes."""

from __future__ import annotations

import json

from flask import Blueprint, Response

from ..renderers import jsonld_context
from .headers import conditional
from .respond import base

bp = Blueprint("discovery", __name__)


@bp.get("/context.jsonld")
def context() -> Response:
    """The context every JSON-LD document references; stable for a given base URI."""
    body = json.dumps(jsonld_context(base()), indent=2, sort_keys=True)
    return conditional(Response(body, mimetype="application/ld+json"), None)
