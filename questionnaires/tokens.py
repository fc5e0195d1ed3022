"""Personal link tokens.

A token is an HMAC of a random nonce under the SECRET_KEY, so that the worker
can write it into an e-mail while the database holds only the nonce and a hash
of the token: neither a database dump nor an export gives a working link.
Rotating SECRET_KEY invalidates every link; leads then reissue them.
"""

import base64
import hashlib
import secrets

from django.utils.crypto import salted_hmac

TOKEN_SALT = "rmprog.questionnaires.personal-link"  # noqa: S105 - a namespace, not a secret


def new_nonce() -> str:
    return secrets.token_hex(32)


def token_for(nonce: str) -> str:
    digest = salted_hmac(TOKEN_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
