"""Rules about whole documents: secrets and signatures are complete, a pipeline exists.

Pure: reads the spec, returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.lint import codes
from conveyor.lint.context import finding
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, SecretDoc, SignatureDoc


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every document-level problem of the file."""
    for doc in file.documents:
        if isinstance(doc, SecretDoc):
            if not doc.name:
                yield finding(
                    codes.SECRET_NAME, doc, "", "the secret document has no name; add `name:`"
                )
            if doc.get_path is None and doc.data is None:
                yield finding(
                    codes.SECRET_SOURCE,
                    doc,
                    "",
                    "the secret document needs `get: {path, name}` or `data:`",
                )
        elif isinstance(doc, SignatureDoc) and not doc.hmac:
            yield finding(
                codes.SIGNATURE_HMAC, doc, "", "the signature document has no `hmac:`; add it"
            )
    if file.documents and not file.pipelines:
        yield finding(
            codes.NO_PIPELINE,
            file.documents[0],
            "",
            "the file defines no pipeline; add a document with `kind: pipeline`",
        )
