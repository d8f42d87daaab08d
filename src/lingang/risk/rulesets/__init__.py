"""Rule-set governance: versions, second-officer approval, publishing and shadow runs."""
