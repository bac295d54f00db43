"""The YAML node tree the loader builds the spec from: scalars, sequences, mappings, positions.

Aliases are shared references to the same node object, so a tree is a DAG; `weight` counts
the nodes a collection stands for once every alias is expanded. Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True, kw_only=True)
class YScalar:
    """A scalar as written (`value`), with its resolved YAML 1.1 tag and 1-based position."""

    value: str
    tag: str
    line: int
    column: int

    @property
    def weight(self) -> int:
        """A scalar is one node."""
        return 1

    @property
    def is_null(self) -> bool:
        """`~`, `null` or nothing at all."""
        return self.tag == NULL


@dataclass(frozen=True, slots=True, kw_only=True)
class YSequence:
    """A list; `items` may share nodes through aliases."""

    items: tuple[YNode, ...]
    tag: str
    line: int
    column: int
    weight: int


@dataclass(frozen=True, slots=True, kw_only=True)
class YMapping:
    """A mapping, as key/value pairs in file order (duplicates and `<<` kept as written)."""

    pairs: tuple[tuple[YNode, YNode], ...]
    tag: str
    line: int
    column: int
    weight: int


YNode = YScalar | YSequence | YMapping


def describe(node: YNode) -> str:
    """What a node is, for messages: `a string`, `a list`, `a mapping`, `a number`..."""
    if isinstance(node, YSequence):
        return "a list"
    if isinstance(node, YMapping):
        return "a mapping"
    return {
        NULL: "null",
        BOOL: "a boolean",
        INT: "a number",
        FLOAT: "a number",
    }.get(node.tag, "a string")


def shown(text: str, limit: int = 60) -> str:
    """`text` quoted for a message as the user wrote it (backslashes not doubled), shortened
    when it is long. Control characters are left to the renderer, which hides them."""
    cut = text if len(text) <= limit else text[: limit - 3] + "..."
    quote = '"' if "'" in cut and '"' not in cut else "'"
    return f"{quote}{cut}{quote}"
