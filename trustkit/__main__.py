"""Command-line entry: ``python -m trustkit``."""

import sys

from trustkit.cli import main

sys.exit(main())
