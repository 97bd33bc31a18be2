"""The servicelab platform: app factory, storage, accounts, test groups, deployments."""
