"""YAML that remembers where every key stands, so errors can name file and line."""

from __future__ import annotations

from dataclasses import dataclass
from .frozen import FrozenMap
from typing import Any, Mapping

import yaml

from .errors import KkguideError


@dataclass(frozen=True)
class Located:
    """A loaded YAML document and the 1-based line of each key path, e.g. ("languages", 2)."""

    data: Any
    lines: Mapping[tuple, int]
    path: str
    line_offset: int = 0

    def line(self, *key: Any) -> int:
        """Line of the nearest known key path (falls back to the document's first line)."""
        while key:
            if key in self.lines:
                return self.lines[key] + self.line_offset
            key = key[:-1]
        return 1 + self.line_offset


class _Loader(yaml.SafeLoader):
    pass


# libyaml's parser where PyYAML has it (same constructor and resolver, so the same data; the
# guide's map alone took 0.4 s per document in the pure-Python parser); errors are reported
# through the pure-Python one, whose messages the documentation and tests quote
_FastLoader = type("_FastLoader", (yaml.CSafeLoader,), {}) if getattr(yaml, "__with_libyaml__", False) else _Loader


def _walk(node: yaml.Node, key: tuple, lines: dict) -> None:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            child = key + (k.value,)
            lines[child] = k.start_mark.line + 1
            _walk(v, child, lines)
            lines[child] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, key + (i,), lines)


MAX_DEPTH = 32          # guide files nest three or four levels deep
MAX_NODES = 200_000


def _check_structure(text: str, path: str, line_offset: int, loader=_Loader) -> None:
    """No anchors or aliases (an alias bomb expands exponentially), bounded depth and size."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 + line_offset
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise KkguideError("YAML anchors and aliases (&name, *name) are not supported: write the value out",
                               path, line)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise KkguideError(f"YAML nested more than {MAX_DEPTH} levels deep", path, line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        nodes += 1
        if nodes > MAX_NODES:
            raise KkguideError(f"YAML document with more than {MAX_NODES:,} values", path, line)


def load_yaml(text: str, path: str, line_offset: int = 0) -> Located:
    """Parse ``text``; a syntax error becomes a KkguideError naming ``path`` and the line."""
    try:
        try:
            node, data = _parse(text, path, line_offset, _FastLoader)
        except yaml.YAMLError:
            if _FastLoader is _Loader:
                raise
            node, data = _parse(text, path, line_offset, _Loader)   # raises, with its own message
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and exc.problem and "end of stream" in exc.problem:
            mark = exc.context_mark  # an unclosed quote or bracket: show where it was opened
        line = mark.line + 1 + line_offset if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" ({exc.context} that starts on line {exc.context_mark.line + 1 + line_offset})"
        raise KkguideError(f"invalid YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise KkguideError(f"invalid YAML: {exc}", path, 1 + line_offset) from None
    lines: dict = {}
    if node is not None:
        _walk(node, (), lines)
    return Located(data, FrozenMap(lines), path, line_offset)


def _parse(text: str, path: str, line_offset: int, loader) -> tuple[Any, Any]:
    """The node tree (for line numbers) and the data of one document, from one parse."""
    _check_structure(text, path, line_offset, loader)
    parser = loader(text)
    try:
        node = parser.get_single_node()
        return node, (parser.construct_document(node) if node is not None else None)
    finally:
        parser.dispose()


def check_keys(doc: Located, mapping: Any, key: tuple, required: set[str], optional: set[str] = frozenset()) -> None:
    """``mapping`` (found at ``key`` in ``doc``) must be a mapping with exactly the allowed keys."""
    if not isinstance(mapping, dict):
        raise KkguideError(f"expected a mapping at '{'.'.join(map(str, key)) or 'top level'}'", doc.path, doc.line(*key))
    for name in mapping:
        if name not in required and name not in optional:
            allowed = ", ".join(sorted(required | set(optional)))
            raise KkguideError(f"unknown key '{name}' (allowed: {allowed})", doc.path, doc.line(*key, name))
    for name in sorted(required):
        if name not in mapping:
            raise KkguideError(f"missing key '{name}'", doc.path, doc.line(*key))
