"""The downloads' files, pure: the columns, and writers of CSV (streamed), XLSX and PostgreSQL's COPY.

No database access: rows come in from `selectors.exports`, bytes go out to the response.
"""
