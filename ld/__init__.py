"""ldpub: publish UK thesis records as validated linked data."""

__version__ = "0.1.0"
