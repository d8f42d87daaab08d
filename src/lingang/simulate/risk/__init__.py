"""Risk patterns the simulator injects, each with a ground-truth table."""
