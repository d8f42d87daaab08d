"""The home dashboard's live figures, gathered from each domain's service."""
