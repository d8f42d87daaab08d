"""Learned scorers (评分模型): gradient-boosted trees trained on labelled inspection history."""
