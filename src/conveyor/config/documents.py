"""One YAML document to one spec document, chosen by `kind`: pipeline, secret or signature.

A document without `kind` that has `steps` is still read as a pipeline (after an error) so
that every other problem is reported too. No I/O.
"""

from __future__ import annotations

from conveyor.config import codes
from conveyor.config.fields import Table, field, read_fields, text
from conveyor.config.nodes import YMapping, YNode, shown
from conveyor.config.pipeline import pipeline
from conveyor.config.reader import Entry, Reader, close_match, join
from conveyor.spec.model import Document, SecretDoc, SignatureDoc

KINDS = ("pipeline", "secret", "signature")

_GET = Table(fields={"path": field("path", text), "name": field("name", text)})
_SECRET = Table(
    fields={
        "kind": field("kind", text),
        "type": field("type", text),
        "name": field("name", text),
        "data": field("data", text),
    }
)
_SIGNATURE = Table(fields={"kind": field("kind", text), "hmac": field("hmac", text)})


def document(rd: Reader, node: YNode) -> Document | None:
    """The spec document of one YAML document, or None (reported) if it cannot be one."""
    if not isinstance(node, YMapping):
        rd.report(
            codes.NOT_A_MAPPING_DOC,
            node,
            "a document must be a mapping that starts with `kind: pipeline`",
        )
        return None
    entries = rd.mapping(node, "") or []
    kind_entry = next((e for e in entries if e.key == "kind"), None)
    if kind_entry is None:
        return _kindless(rd, node, entries)
    kind = rd.text(kind_entry.value, "kind")
    if kind == "pipeline":
        return pipeline(rd, node, entries)
    if kind == "secret":
        return _secret(rd, node, entries)
    if kind == "signature":
        return _signature(rd, node, entries)
    if kind is not None:
        guess = close_match(kind, KINDS)
        rd.report(
            codes.UNKNOWN_KIND,
            kind_entry.value,
            f"unknown kind {shown(kind)}; use one of: {', '.join(KINDS)}"
            + (f" (did you mean `{guess}`?)" if guess else ""),
            path="kind",
        )
    return None


def _kindless(rd: Reader, node: YMapping, entries: list[Entry]) -> Document | None:
    keys = {e.key for e in entries}
    hint = None
    if "pipeline" in keys:
        hint = "this looks like a Drone 0.8 file; Conveyor reads the Drone 1.x format"
    rd.report(
        codes.UNKNOWN_KIND,
        node,
        "the document has no `kind`; add `kind: pipeline` (or secret, signature)",
        path="kind",
        hint=hint,
    )
    return pipeline(rd, node, entries) if "steps" in keys else None


def _secret(rd: Reader, node: YMapping, entries: list[Entry]) -> SecretDoc:
    get_entry = next((e for e in entries if e.key == "get"), None)
    rest = [e for e in entries if e.key != "get"]
    values, spans = read_fields(rd, rest, "", _SECRET)
    get_values: dict[str, str] = {}
    if get_entry is not None:
        spans["get"] = rd.field_span(get_entry)
        get_entries = rd.mapping(get_entry.value, "get", "a mapping with path and name")
        if get_entries is not None:
            get_values, get_spans = read_fields(rd, get_entries, "get", _GET)
            spans.update({join("get", k): s for k, s in get_spans.items()})
    return SecretDoc(
        span=rd.span(node),
        spans=spans,
        name=values.get("name", ""),
        get_path=get_values.get("path"),
        get_name=get_values.get("name"),
        data=values.get("data"),
    )


def _signature(rd: Reader, node: YMapping, entries: list[Entry]) -> SignatureDoc:
    values, spans = read_fields(rd, entries, "", _SIGNATURE)
    return SignatureDoc(span=rd.span(node), spans=spans, hmac=values.get("hmac", ""))
