"""YAML reading that remembers line numbers, so content errors name file and line."""

from __future__ import annotations

from pathlib import Path

import yaml


class ContentError(ValueError):
    """A content file that cannot be used; the message names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line = str(path), line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class Mapping(dict):
    """A YAML mapping with the line it starts on (1-based)."""

    line: int | None = None
    path: str = ""


class Sequence(list):
    line: int | None = None
    path: str = ""


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise ContentError(loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
    result.line, result.path = node.start_mark.line + 1, loader.name
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.path = node.start_mark.line + 1, loader.name
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path):
    """Parse one YAML file; syntax errors become ContentError with the line."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise ContentError(path, line, f"invalid YAML: {error.problem}") from None
    finally:
        loader.dispose()


def line_of(node, default: int | None = None) -> int | None:
    return getattr(node, "line", None) or default
