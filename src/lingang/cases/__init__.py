"""Closed-loop case management (核查处置): alerts → cases → verification → disposal → feedback."""
