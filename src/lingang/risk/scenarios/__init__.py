"""Scenario library: rules with weights and reasons, scored 0–100 into pass / review / hold."""
