"""双随机、一公开 random inspections (issue #6): catalogue, libraries and a verifiable draw."""
