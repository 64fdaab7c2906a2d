"""`python -m ld` and the `ldpub` script: the command line, imported only when run.

Ingest's worker processes import the program's main module before their work (Python's
multiprocessing does, to find functions defined there); keeping it this small spares
each of them the whole command line, its web app and store (bench/README.md).
"""


def main() -> None:
    from .cli import main as command

    command()


if __name__ == "__main__":
    main()
