"""``python -m trialdash``: see :mod:`trialdash.cli`."""

import sys

from trialdash.cli import main

if __name__ == "__main__":
    sys.exit(main())
