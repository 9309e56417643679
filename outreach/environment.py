"""The one reader of the environment, for the settings and for the commands that read a variable of
their own (`ensure_admin`)."""

import environ


class Env(environ.Env):
    """django-environ, except that a value beginning with "$" is that text.

    django-environ reads such a value as the name of another variable to look up; a random SECRET_KEY
    begins with "$" often enough (one time in 50 from Django's own generator) to refuse to start.
    """

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        value = self.ENVIRON.get(f"{self.prefix}{var}")
        if isinstance(value, str) and value.startswith("$"):
            return self.parse_value(value, cast) if cast else value
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
