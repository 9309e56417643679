"""Pages of figures built without a request, so that a person's visit and a scheduled run build the same
report: the figures a page places (`figures`, the dashboard's and the reports'), the monthly and yearly
reports and their PDF (`pages`), and the monthly report by e-mail (`mail`, `delivery`, `links`).
Import the module of the concern; nothing is re-exported here.
"""
