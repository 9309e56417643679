"""The password hasher of the test process (see `_quick_password_hashing` in tests/conftest.py)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Production's hasher (Django's PBKDF2-SHA256: the same code salts, encodes and checks, and the hashes
    read `pbkdf2_sha256$...`, so a server with production settings checks them too) at a thousandth of its
    iterations. At Django's million, each password set or checked costs half a second of CPU, and the
    suite sets and checks hundreds: a third of its time was spent there.
    """

    iterations = 1_000
