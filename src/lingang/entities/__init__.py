"""Enterprises of the zone (企业主体): the parties every other domain refers to."""
