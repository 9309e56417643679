"""The production site with one page more, which fails as an unforeseen bug would: for the operations tests,
which need a server error to report (the site itself has no page that fails on purpose)."""
