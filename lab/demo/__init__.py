"""The demo lab: a collectivité's lab with accounts, prototypes, groups and citizens' trials, for `lab demo`."""
