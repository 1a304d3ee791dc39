"""Encryption adapters (``cryptography``)."""

from flagcore.adapters.crypto.fernet import FernetPayloadCipher

__all__ = ("FernetPayloadCipher",)
