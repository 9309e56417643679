"""The admin: the site (access by role, the one sign-in page), the catalogue (platforms, accounts,
milestones), the figures (snapshots, with the month grid and the import as their extra pages) and the
history pages.

The modules that register models are imported by `apps.OutreachAdminConfig.ready`, not here: Django
imports this package to build the site (`site.OutreachAdminSite`), and a registration run while the site
is being built would go to a site that is then replaced.
"""
