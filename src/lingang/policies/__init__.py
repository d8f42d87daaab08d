"""Incentive-policy matching (惠企政策一键直达, issue #8 part 6)."""
