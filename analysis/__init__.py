"""The analysis package of servicelab."""
