"""The team's rule that an HTTP handler is 20 lines or fewer, counted from its `def` line to the
last line of its body (decorators not counted), checked on every view the app registers, so a
handler that grows past it fails here by name."""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

import marketplace

LONGEST_HANDLER = 20
PROJECT = Path(marketplace.__file__).resolve().parent
# Views Flask itself registers: not ours to keep short.
NOT_OURS = {"static"}


def handler_length(view: Callable[..., Any]) -> int:
    """Lines from the `def` to the end of the body; the syntax tree's line numbers, not a text
    search, so decorators, a multi-line signature and a closing bracket are counted right."""
    lines, _first = inspect.getsourcelines(view)
    tree = ast.parse(textwrap.dedent("".join(lines)))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    return function.end_lineno - function.lineno + 1  # type: ignore[operator]


def project_handlers(app: Flask) -> dict[str, Callable[..., Any]]:
    handlers = {}
    for endpoint, view in app.view_functions.items():
        handler = inspect.unwrap(view)
        if endpoint in NOT_OURS:
            continue
        source = Path(inspect.getsourcefile(handler) or "").resolve()
        assert source.is_relative_to(PROJECT), f"{endpoint} is not defined in marketplace/"
        handlers[endpoint] = handler
    return handlers


def test_every_handler_is_20_lines_or_fewer(app: Flask) -> None:
    handlers = project_handlers(app)
    assert len(handlers) > 100  # the walk found the app's views, not an empty map
    too_long = sorted(
        f"{endpoint} ({inspect.getsourcefile(handler)}:{handler.__code__.co_firstlineno}): "
        f"{length} lines"
        for endpoint, handler in handlers.items()
        if (length := handler_length(handler)) > LONGEST_HANDLER
    )
    assert not too_long, "handlers over 20 lines:\n" + "\n".join(too_long)


def _decorated(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    return wrapper


@_decorated
@_decorated
def _four_line_handler(
    value: int,
) -> int:
    return value + 1


def test_length_counts_from_def_to_end_of_body_without_decorators() -> None:
    assert handler_length(inspect.unwrap(_four_line_handler)) == 4


def test_unwrap_reaches_the_handler_under_its_decorators() -> None:
    assert inspect.unwrap(_four_line_handler).__code__.co_name == "_four_line_handler"
