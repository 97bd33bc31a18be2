"""HTTP routes of the platform: one module per resource."""
