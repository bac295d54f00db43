"""Typed reads of YAML nodes for the spec builders; every wrong type becomes a diagnostic.

A `Reader` collects diagnostics for one file and never raises for bad input: each read
returns None (or an empty value) when the node is unusable and says why. Mappings are
flattened here: merge keys (`<<`) applied, duplicate keys reported. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conveyor.config import codes
from conveyor.config.nodes import MERGE, YMapping, YNode, YScalar, YSequence, describe, shown
from conveyor.config.scalars import to_bool, to_float, to_int
from conveyor.source import Diagnostic, Severity, Span

MAX_DIAGNOSTICS = 1000
"""After this many problems, the rest of a file's problems are summarised in one line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One key of a flattened mapping: the key text, its node and its value node."""

    key: str
    key_node: YScalar
    value: YNode


def join(prefix: str, part: str | int) -> str:
    """`steps[2]` + `image` -> `steps[2].image`; `depends_on` + 1 -> `depends_on[1]`."""
    if isinstance(part, int):
        return f"{prefix}[{part}]"
    return f"{prefix}.{part}" if prefix else part


class Reader:
    """Diagnostics of one file, and the typed reads that produce them."""

    def __init__(self, filename: str, *, aliased: frozenset[int] = frozenset()) -> None:
        self.filename = filename
        self.aliased = aliased
        self.diagnostics: list[Diagnostic] = []
        self._dropped = 0
        self._dropped_errors = 0

    def span(self, node: YNode) -> Span:
        """Where a node starts."""
        return Span(file=self.filename, line=node.line, column=node.column)

    def field_span(self, entry: Entry) -> Span:
        """Where a field is: the value for scalars, the key for lists and mappings."""
        return self.span(entry.value if isinstance(entry.value, YScalar) else entry.key_node)

    def report(
        self,
        code: codes.Code,
        node: YNode,
        message: str,
        *,
        path: str = "",
        hint: str | None = None,
    ) -> None:
        """Record one problem at `node`, unless the file already has too many."""
        if len(self.diagnostics) >= MAX_DIAGNOSTICS:
            self._dropped += 1
            self._dropped_errors += code.severity == Severity.ERROR
            return
        self.diagnostics.append(code.at(self.span(node), message, path=path, hint=hint))

    def finish(self) -> list[Diagnostic]:
        """The diagnostics, with a summary line when some were dropped."""
        found = list(self.diagnostics)
        if self._dropped:
            last = found[-1].span if found else None
            code = codes.TOO_MANY if self._dropped_errors else codes.TOO_MANY_WARNINGS
            message = (
                f"{self._dropped} more problems ({self._dropped_errors} errors) were not shown; "
                "fix the ones above and lint again"
            )
            found.append(code.at(last, message))
        return found

    def wrong_type(self, node: YNode, path: str, expected: str) -> None:
        """Report that `node` is not what `path` needs."""
        self.report(
            codes.WRONG_TYPE,
            node,
            f"`{path}` must be {expected}, not {describe(node)}",
            path=path,
        )

    # -- mappings -----------------------------------------------------------------------

    def mapping(self, node: YNode, path: str, expected: str = "a mapping") -> list[Entry] | None:
        """The entries of a mapping with merges applied, or None (reported) if not a mapping."""
        if not isinstance(node, YMapping):
            self.wrong_type(node, path or "the document", expected)
            return None
        return self._flatten(node, path, set())

    def _flatten(self, node: YMapping, path: str, active: set[int]) -> list[Entry]:
        own: dict[str, Entry] = {}
        merged: dict[str, Entry] = {}
        active = active | {id(node)}
        for key_node, value in node.pairs:
            if isinstance(key_node, YScalar) and key_node.tag == MERGE:
                for entry in self._merge(value, path, active):
                    merged.setdefault(entry.key, entry)
                continue
            if not isinstance(key_node, YScalar) or key_node.is_null:
                self.wrong_type(key_node, join(path, "<key>"), "a string key")
                continue
            key = key_node.value
            if key in own:
                self._duplicate(own[key].key_node, key_node, path)
            own[key] = Entry(key=key, key_node=key_node, value=value)
        if not merged:
            return list(own.values())
        # PyYAML's order: merged keys first (own values win), then the mapping's own keys.
        flat = {key: own.get(key, entry) for key, entry in merged.items()}
        flat.update(own)
        return list(flat.values())

    def _duplicate(self, first: YScalar, again: YScalar, path: str) -> None:
        """Warn that `again` replaces `first`, as Drone's YAML reader does (the last wins)."""
        message = (
            f"key {shown(again.value)} is written twice (lines {first.line} and {again.line}); "
            f"Drone keeps the last one, and so does Conveyor: line {first.line} is dropped"
        )
        hint = None
        if not path and again.value == "kind":
            message = (
                f"`kind` is written twice in one document (lines {first.line} and {again.line}): "
                f"the document above line {again.line} is merged into the one below, and each "
                "key written in both keeps only its last value"
            )
            hint = f"put a `---` line before line {again.line} to start a new document"
        self.report(codes.DUPLICATE_KEY, again, message, path=join(path, again.value), hint=hint)

    def _merge(self, value: YNode, path: str, active: set[int]) -> Iterable[Entry]:
        sources = value.items if isinstance(value, YSequence) else (value,)
        found: list[Entry] = []
        for source in sources:
            if not isinstance(source, YMapping):
                self.report(
                    codes.BAD_MERGE,
                    source,
                    f"the merge key `<<` needs a mapping or a list of mappings, not "
                    f"{describe(source)}",
                    path=join(path, "<<"),
                )
                continue
            if id(source) in active:
                continue
            known = {entry.key for entry in found}
            found.extend(e for e in self._flatten(source, path, active) if e.key not in known)
        return found

    def holds_anchors(self, node: YNode) -> bool:
        """True when `node`, or a node inside it, is the target of an alias in the file."""
        stack: list[YNode] = [node]
        seen: set[int] = set()
        while stack:
            current = stack.pop()
            if id(current) in self.aliased:
                return True
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, YSequence):
                stack.extend(current.items)
            elif isinstance(current, YMapping):
                stack.extend(value for _, value in current.pairs)
        return False

    def unknown_key(
        self, entry: Entry, path: str, known: Iterable[str], *, hint: str | None = None
    ) -> None:
        """Warn about a key nobody reads, suggesting the closest known key."""
        suggestion = None if hint else close_match(entry.key, known)
        where = f" in `{path}`" if path else ""
        message = f"unknown key {shown(entry.key)}{where}"
        if suggestion:
            message += f"; did you mean `{suggestion}`?"
        self.report(
            codes.UNKNOWN_KEY, entry.key_node, message, path=join(path, entry.key), hint=hint
        )

    # -- scalars ------------------------------------------------------------------------

    def text(self, node: YNode, path: str) -> str | None:
        """A scalar as written; None for null. Lists and mappings are reported."""
        if isinstance(node, YScalar):
            return None if node.is_null else node.value
        self.wrong_type(node, path, "a string")
        return None

    def flag(self, node: YNode, path: str) -> bool | None:
        """A YAML 1.1 boolean (`true`, `yes`, `on`...); None for null."""
        if isinstance(node, YScalar):
            if node.is_null:
                return None
            value = to_bool(node)
            if value is not None:
                return value
        self.wrong_type(node, path, "a boolean (true or false)")
        return None

    def whole(self, node: YNode, path: str, *, minimum: int = 0) -> int | None:
        """A whole number at least `minimum`; None for null."""
        if isinstance(node, YScalar):
            if node.is_null:
                return None
            value = to_int(node)
            if value is not None:
                if value >= minimum:
                    return value
                self.report(
                    codes.BAD_VALUE, node, f"`{path}` must be at least {minimum}", path=path
                )
                return None
        self.wrong_type(node, path, "a whole number")
        return None

    def number(self, node: YNode, path: str) -> float | None:
        """A positive finite number; None for null."""
        if isinstance(node, YScalar):
            if node.is_null:
                return None
            value = to_float(node)
            if value is not None:
                if 0 < value < float("inf"):
                    return value
                self.report(codes.BAD_VALUE, node, f"`{path}` must be a positive number", path=path)
                return None
        self.wrong_type(node, path, "a number")
        return None

    def texts(
        self, node: YNode, path: str, spans: dict[str, Span], rel: str
    ) -> tuple[str, ...] | None:
        """A list of strings; a single string is reported and kept as a one-item list."""
        if isinstance(node, YScalar):
            if node.is_null:
                return None
            self.wrong_type(node, path, "a list of strings")
            spans[join(rel, 0)] = self.span(node)
            return (node.value,)
        if not isinstance(node, YSequence):
            self.wrong_type(node, path, "a list of strings")
            return None
        found: list[str] = []
        for index, item in enumerate(node.items):
            if isinstance(item, YMapping):
                self.report(
                    codes.WRONG_TYPE,
                    item,
                    f"`{join(path, index)}` must be a string, not a mapping",
                    path=join(path, index),
                    hint="quote the item: an unquoted ': ' inside it starts a mapping",
                )
                continue
            value = self.text(item, join(path, index))
            if value is not None:
                spans[join(rel, len(found))] = self.span(item)
                found.append(value)
        return tuple(found)


def close_match(word: str, known: Iterable[str]) -> str | None:
    """The known word closest to `word`, or None when nothing is close enough.

    Close means a few typing slips away (at most one edit, transposition included, per three
    letters: `comands`, `dependsOn`, `tset`), or the start of a known word (`env`); looser
    resemblances such as `hostname` and `name`, or `tag` and `target`, are no suggestion.
    """
    if len(word) > 64:
        return None
    typed = word.lower()
    budget = max(1, len(typed) // 3)
    best: tuple[int, int, str] | None = None
    for index, candidate in enumerate(known):
        lowered = candidate.lower()
        distance = _edit_distance(typed, lowered)
        if distance > budget and not (len(typed) >= 3 and lowered.startswith(typed)):
            continue
        rank = (distance, index, candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance where swapping two neighbouring letters counts as one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]
