"""The feedback package of servicelab."""
