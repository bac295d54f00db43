"""`conveyor server rotate-key`: re-encrypt every secret value, every webhook secret and the key
check value under a new key, in one transaction (all or nothing)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.crypto import Cipher, hook_aad, secret_aad
from conveyor.server.startup import KEY_CHECK
from conveyor.server.store.models import Meta, Repo, Secret


def rotate(session: Session, old: Cipher, new: Cipher) -> int:
    """Re-encrypt everything from `old` to `new` in `session`'s transaction; returns how many
    values were re-encrypted. Raises DecryptError (and changes nothing) if one does not decrypt."""
    count = 0
    for secret in session.scalars(select(Secret)):
        aad = secret_aad(secret.scope, secret.name)
        secret.data = new.encrypt(old.decrypt(secret.data, aad=aad), aad=aad)
        count += 1
    for repo in session.scalars(select(Repo)):
        aad = hook_aad(repo.slug)
        repo.hook_secret = new.encrypt(old.decrypt(repo.hook_secret, aad=aad), aad=aad)
        count += 1
    check = session.get(Meta, KEY_CHECK)
    if check is None:
        session.add(Meta(key=KEY_CHECK, value=new.check_value()))
    else:
        check.value = new.check_value()
    return count
