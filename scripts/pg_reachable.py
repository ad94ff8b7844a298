"""Exit 0 when the PostgreSQL server in the URL answers, 1 otherwise (for `make test`)."""

from __future__ import annotations

import sys

import psycopg


def main(url: str) -> int:
    # Connect to the maintenance database: the test database does not exist yet.
    base, _, _ = url.rpartition("/")
    try:
        psycopg.connect(f"{base}/postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        print(f"PostgreSQL check: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
