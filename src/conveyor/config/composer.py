"""YAML 1.1 text to node trees, one per document, with positions and hard limits.

Events come from PyYAML's parser (libyaml's C parser when available); nodes are composed
here with an explicit stack instead of PyYAML's recursive composer, so deep nesting cannot
exhaust the stack, and aliases are charged against an expansion budget (YAML bombs).
Never raises for bad input: problems come back as one diagnostic. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from conveyor.config import codes
from conveyor.config.decoding import locate
from conveyor.config.nodes import YMapping, YNode, YScalar, YSequence
from conveyor.source import Diagnostic, Span

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """How much a file may ask of the loader before it is refused."""

    max_depth: int = 64
    max_alias_nodes: int = 500_000
    """Nodes that aliases may add once expanded; a billion-laughs file needs far more."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Composed:
    """The non-empty documents composed before any problem, and that problem."""

    documents: tuple[YNode, ...]
    problem: Diagnostic | None = None
    empty: bool = False
    """True when the stream holds no document at all (only comments or blanks)."""
    aliased: frozenset[int] = frozenset()
    """`id()` of every node an alias refers to (anchors that are used elsewhere)."""


@dataclass(slots=True)
class _Open:
    is_mapping: bool
    tag: str
    line: int
    column: int
    anchor: str | None
    children: list[YNode] = field(default_factory=list)


class _Stop(Exception):  # noqa: N818 - internal control flow, never escapes this module
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Composer:
    def __init__(self, text: str, filename: str, limits: Limits) -> None:
        self.text = text
        self.filename = filename
        self.limits = limits
        self.loader = _Loader(text)
        self.resolve: Callable[..., str] = self.loader.resolve
        self.stack: list[_Open] = []
        self.anchors: dict[str, YNode] = {}
        self.open_anchors: set[str] = set()
        self.documents: list[YNode] = []
        self.seen_document = False
        self.expanded = 0
        self.aliased: set[int] = set()

    def run(self) -> Composed:
        try:
            self._consume()
        except _Stop as stop:
            return Composed(
                documents=tuple(self.documents),
                problem=stop.diagnostic,
                aliased=frozenset(self.aliased),
            )
        except yaml.reader.ReaderError as exc:
            problem = self._bad_character(exc)
            return Composed(documents=tuple(self.documents), problem=problem)
        except yaml.MarkedYAMLError as exc:
            problem = syntax_problem(self.text, self.filename, exc)
            return Composed(documents=tuple(self.documents), problem=problem)
        except yaml.YAMLError as exc:
            span = Span(file=self.filename, line=1, column=1)
            problem = codes.YAML_SYNTAX.at(span, f"the YAML cannot be read: {exc}")
            return Composed(documents=tuple(self.documents), problem=problem)
        finally:
            self.loader.dispose()
        return Composed(
            documents=tuple(self.documents),
            empty=not self.seen_document,
            aliased=frozenset(self.aliased),
        )

    def _consume(self) -> None:
        loader = self.loader
        while loader.check_event():
            event: Any = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self._scalar(event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._start(event, is_mapping=kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self._end()
            elif kind is yaml.AliasEvent:
                self._alias(event)
            elif kind is yaml.DocumentStartEvent:
                self.anchors = {}
                self.seen_document = True

    def _span(self, event: Any) -> Span:
        mark = event.start_mark
        return Span(file=self.filename, line=mark.line + 1, column=mark.column + 1)

    def _scalar(self, event: Any) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
        mark = event.start_mark
        node = YScalar(value=event.value, tag=tag, line=mark.line + 1, column=mark.column + 1)
        self._attach(node, event.anchor)

    def _start(self, event: Any, *, is_mapping: bool) -> None:
        if len(self.stack) >= self.limits.max_depth:
            raise _Stop(
                codes.TOO_DEEP.at(
                    self._span(event),
                    f"the YAML is nested more than {self.limits.max_depth} levels deep here; "
                    "flatten the structure",
                )
            )
        tag = event.tag
        if tag is None or tag == "!":
            kind = yaml.MappingNode if is_mapping else yaml.SequenceNode
            tag = self.resolve(kind, None, event.implicit)
        mark = event.start_mark
        frame = _Open(is_mapping, tag, mark.line + 1, mark.column + 1, event.anchor)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(frame)

    def _end(self) -> None:
        frame = self.stack.pop()
        children = frame.children
        weight = 1 + sum(child.weight for child in children)
        node: YNode
        if frame.is_mapping:
            pairs = tuple(zip(children[0::2], children[1::2], strict=True))
            node = YMapping(
                pairs=pairs, tag=frame.tag, line=frame.line, column=frame.column, weight=weight
            )
        else:
            node = YSequence(
                items=tuple(children),
                tag=frame.tag,
                line=frame.line,
                column=frame.column,
                weight=weight,
            )
        self._attach(node, frame.anchor)

    def _alias(self, event: Any) -> None:
        name: str = event.anchor
        target = self.anchors.get(name)
        if target is None:
            where = "the node that contains it" if name in self.open_anchors else "no anchor"
            raise _Stop(
                codes.BAD_ALIAS.at(
                    self._span(event),
                    f"alias *{name} refers to {where}; define `&{name}` on an earlier node",
                )
            )
        self.expanded += target.weight
        if self.expanded > self.limits.max_alias_nodes:
            raise _Stop(
                codes.ALIAS_BOMB.at(
                    self._span(event),
                    f"aliases expand to more than {self.limits.max_alias_nodes} nodes "
                    "(a YAML bomb?); use fewer or smaller aliases",
                )
            )
        self.aliased.add(id(target))
        self._attach(target, None)

    def _attach(self, node: YNode, anchor: str | None) -> None:
        if anchor is not None:
            self.anchors[anchor] = node
            self.open_anchors.discard(anchor)
        if self.stack:
            self.stack[-1].children.append(node)
        elif not (isinstance(node, YScalar) and node.is_null):
            self.documents.append(node)

    def _bad_character(self, exc: yaml.reader.ReaderError) -> Diagnostic:
        found = yaml.reader.Reader.NON_PRINTABLE.search(self.text)
        index = found.start() if found else 0
        line, column = locate(self.text, index)
        char = self.text[index] if found else "\x00"
        return codes.NOT_UTF8.at(
            Span(file=self.filename, line=line, column=column),
            f"character U+{ord(char):04X} is not allowed in YAML; remove it, or write it "
            f"as an escape inside a double-quoted string ({exc.reason})",
        )


def compose(text: str, filename: str, limits: Limits | None = None) -> Composed:
    """Every document of `text` as a node tree; the first problem stops composition."""
    return _Composer(text, filename, limits or Limits()).run()


def syntax_problem(text: str, filename: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    """A diagnostic for a PyYAML scanner or parser error, with tabs called out clearly."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    source_line = _line_of(text, line)
    problem = exc.problem or exc.context or "invalid YAML"
    leading = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in leading and ("tab" in problem or "cannot start any token" in problem):
        column = leading.index("\t") + 1
        return codes.TAB_INDENT.at(
            Span(file=filename, line=line, column=column),
            "a tab character is used for indentation; indent YAML with spaces only",
        )
    if "maximum nesting depth" in problem:
        return codes.TOO_DEEP.at(
            Span(file=filename, line=line, column=column),
            "the YAML is nested too deeply here; flatten the structure",
        )
    message = f"YAML syntax error: {problem}"
    if exc.context and exc.context_mark is not None and exc.problem:
        ctx = exc.context_mark
        message += f" ({exc.context} that starts at {ctx.line + 1}:{ctx.column + 1})"
    return codes.YAML_SYNTAX.at(
        Span(file=filename, line=line, column=column), message, hint=_syntax_hint(problem)
    )


def _syntax_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ', and check the indentation of this line"
    if "cannot start any token" in problem:
        return "quote values that start with '@', '`', '%' or another reserved character"
    if "could not find expected ':'" in problem:
        return "a key must be followed by ': '; check quotes and indentation"
    return None


def _line_of(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
