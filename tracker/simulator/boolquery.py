"""A small boolean query engine shared by the PubMed and Europe PMC parts of the simulator.

Each syntax has its own tokenizer, which yields operator strings ("AND", "OR", "NOT", "(",
")") and leaf objects (anything that is not a str). `parse` builds a tree; juxtaposed
operands mean AND. PubMed evaluates operators strictly left to right, with no precedence
(as its help pages say); Europe PMC (Lucene) binds AND and NOT tighter than OR. `evaluate`
turns a tree into a set of ids with set algebra, one scan of the world per leaf.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

OPERATORS = frozenset({"AND", "OR", "NOT"})
Node = tuple[Any, ...]  # ("leaf", leaf) | (op, left, right); a leading NOT has left None
T = TypeVar("T")


class QuerySyntaxError(ValueError):
    """The query cannot be parsed (unbalanced parentheses, a dangling operator...)."""


class _Parser:
    def __init__(self, tokens: Sequence[Any], left_to_right: bool) -> None:
        self.tokens = tokens
        self.pos = 0
        self.left_to_right = left_to_right

    def peek(self) -> Any:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Any:
        token = self.peek()
        self.pos += 1
        return token

    def starts_operand(self) -> bool:
        token = self.peek()
        return token is not None and (not isinstance(token, str) or token in ("(", "NOT"))

    def expression(self, level: int = 0) -> Node:
        # level 0: OR (or everything, left to right); level 1: AND and NOT
        node = self.unary() if self.left_to_right or level == 1 else self.expression(1)
        while True:
            token = self.peek()
            if token in OPERATORS and (self.left_to_right or (token == "OR") == (level == 0)):
                self.take()
                if not self.starts_operand():
                    raise QuerySyntaxError(f"{token} has no right-hand operand")
                right = self.unary() if self.left_to_right or level == 1 else self.expression(1)
                node = (token, node, right)
            elif (self.left_to_right or level == 1) and self.starts_operand():
                node = ("AND", node, self.unary())  # juxtaposition
            else:
                return node

    def unary(self) -> Node:
        token = self.take()
        if token == "NOT":
            if not self.starts_operand():
                raise QuerySyntaxError("NOT has no operand")
            return ("NOT", None, self.unary())
        if token == "(":
            node = self.expression()
            if self.take() != ")":
                raise QuerySyntaxError("unbalanced parentheses")
            return node
        if token is None or isinstance(token, str):
            raise QuerySyntaxError(f"unexpected {token or 'end of query'!r}")
        return ("leaf", token)


def parse(tokens: Sequence[Any], *, left_to_right: bool) -> Node:
    if not tokens:
        raise QuerySyntaxError("empty query")
    parser = _Parser(tokens, left_to_right)
    node = parser.expression()
    if parser.peek() is not None:
        raise QuerySyntaxError(f"unexpected {parser.peek()!r}")
    return node


def leaves(node: Node) -> list[Any]:
    if node[0] == "leaf":
        return [node[1]]
    return [*(leaves(node[1]) if node[1] is not None else []), *leaves(node[2])]


def evaluate(node: Node, match: Callable[[Any], set[T]], universe: Callable[[], set[T]]) -> set[T]:
    """The ids the tree selects; `match` gives a leaf's ids, `universe` every id."""
    if node[0] == "leaf":
        return match(node[1])
    right = evaluate(node[2], match, universe)
    if node[1] is None:
        return universe() - right
    left = evaluate(node[1], match, universe)
    if node[0] == "AND":
        return left & right
    return left | right if node[0] == "OR" else left - right


def render(node: Node, leaf: Callable[[Any], str]) -> str:
    """The tree written back as a query, fully parenthesised (for QueryTranslation)."""
    if node[0] == "leaf":
        return leaf(node[1])
    right = render(node[2], leaf)
    if node[1] is None:
        return f"NOT {right}"
    left = render(node[1], leaf)
    return f"({left} {node[0]} {right})"
