"""``PasswordHasher`` over argon2-cffi (argon2id with the library's recommended parameters)."""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from flagcore.ports.sign_in import PasswordHasher


class Argon2PasswordHasher(PasswordHasher):
    def __init__(self) -> None:
        self._hasher = argon2.PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
