"""`python -m generator` works like the `dailypapers` command."""

import sys

from generator.cli import main

sys.exit(main())
