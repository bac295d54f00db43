"""The secret value type shared by every room: a name and a value that never prints.

Pure data, no I/O. Where secrets come from (files, `--secret`, a server store) is the
business of the modules that read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    """A named secret; `value` is kept out of repr so a log of the object leaks nothing.

    `pull_request` says whether builds of pull requests may read it (semantics.md
    section 6: secrets are withheld from pull request builds unless they allow it).
    """

    name: str
    value: str = field(repr=False)
    pull_request: bool = False
