"""Prototype specs: the format, validation, iterations, diffs, rendering and examples."""

from pathlib import Path

#: Realistic French example specs, valid and used by the demo.
EXAMPLES_DIR = Path(__file__).parent / "examples"
