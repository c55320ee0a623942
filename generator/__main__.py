"""`python -m generator` works like the `dailypapers` command."""

from generator.cli import run

run()
