"""Writes, by concern, each in a transaction and through the one rule set; each keeps the monthly totals in step
(`totals.monthly_totals_following`). Import the module of the concern; nothing is re-exported here.
"""
