#!/usr/bin/env python3
"""Build the book: ``python build.py --help`` says how."""

import sys

from book.cli import main

if __name__ == "__main__":
    sys.exit(main())
