#!/usr/bin/env python3
"""Build prepdeck's study artifacts from the YAML under source/ (see `python build.py --help`).

Exit status: 0 built, 1 problems in the source (each printed as path:line:col: message),
2 bad command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prepdeck.cli import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and friends: not an error of ours
        sys.stderr.close()
        sys.exit(0)
