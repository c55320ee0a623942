"""Run the test suite as a one-core machine would (os.cpu_count() says 1), to check it holds there:

    .venv/bin/python tests/one_core.py [pytest arguments]

Tests of the two-process paths ask for two cores themselves (the two_cores fixture). Commands the
tests start in their own interpreter see the real machine.
"""

import os
import sys

import pytest

os.cpu_count = lambda: 1  # for this process and what it forks
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[1:]]))
