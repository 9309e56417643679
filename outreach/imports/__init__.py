"""Reading imported files, pure: tables from CSV and XLSX, the columns they may name, and the plan (each
line read and checked by the rule set). The database's part (accounts, what is recorded) is handed in by
`services.imports`. Back-office exports get one module per format here.
"""
