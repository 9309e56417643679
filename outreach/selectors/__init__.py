"""Reads, by concern: every query the pages, the admin, the downloads and the imports make. Plain functions that
return rows or small value objects; no writes. Import the module of the concern
(`outreach.selectors.dashboard`, ...); nothing is re-exported here.
"""
