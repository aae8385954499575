"""`python -m medtrack`: the same entry point as the `medtrack` command."""

import sys

from medtrack.cli import main

sys.exit(main())
