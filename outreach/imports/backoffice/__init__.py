"""The platforms' own back-office exports, one module per format, each recognised by its content (the names in
its header), never by its file's name, and read into monthly figures whose meaning is explicit: a month-end
total (followers on the month's last day) or a month's increase (articles or videos published, plays in the
month). Pure: which account a file belongs to, and the totals an increase is added to, are the service's.

A figure a file does not give is not in its reading (left alone, never 0); a month the file does not cover
whole is a skipped month with its reason, not a figure.
"""
