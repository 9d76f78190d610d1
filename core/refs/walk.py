"""How each reference operand of a formula is read: whole, by implicit intersection, or not at all.

The tokens (openpyxl's) are folded into a small tree — function calls with their arguments,
parenthesised groups, operators — and walked from the top with the context Excel evaluates each
part in (see core.refs.params for the parameter classes). The result is one class per reference
operand token:

    WHOLE      'r'  every cell of the range is read
    INTERSECT  'i'  only the cell in the formula's row / column (implicit intersection)
    NONREAD    'n'  only the position or shape is used (ROW(A1), OFFSET's base, ...)
    INHERIT    'h'  (defined names only) read the way the name itself is used

A formula's top level is INTERSECT (a plain formula) or WHOLE (an array formula); a defined name's
is INHERIT, with everything nested in operators or functions read whole: named formulas are
evaluated like array formulas, and reading whole never misses a dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl.formula.tokenizer import Token

from core.refs.params import param_class

WHOLE, INTERSECT, NONREAD, INHERIT = "r", "i", "n", "h"
_VALUE_OP, _REF_OP = "+", ":"        # markers between terms: a value operator, a reference operator


@dataclass
class _Call:
    name: str
    prefix: int | None                # token index of a 'A1:INDEX(' function token (A1 is an operand)
    args: list[list[object]] = field(default_factory=list)


@dataclass
class _Group:
    seg: list[object]


@dataclass
class _Literal:
    text: str | None                  # the text of a string literal, else None


class _Parser:
    """Tokens -> segments: lists of terms (int = token index of a range operand, _Call, _Group,
    _Literal) separated by operator markers."""

    def __init__(self, tokens: list[Token], normalise: Callable[[str], str]) -> None:
        self.tokens, self.i = tokens, 0
        self.normalise = normalise
        self.explicit: set[int] = set()      # '@A1:A9' operands

    def segment(self, top: bool = False) -> list[object]:
        seg: list[object] = []
        tokens = self.tokens
        while self.i < len(tokens):
            tok = tokens[self.i]
            kind, sub = tok.type, tok.subtype
            if kind in (Token.SEP, Token.FUNC, Token.PAREN) and sub in (Token.CLOSE, Token.ARG):
                if not (top and kind == Token.SEP):
                    return seg
                _mark(seg, _REF_OP)          # a top-level ',' (a union, in a name's formula)
                self.i += 1
                continue
            self.i += 1
            if kind == Token.OPERAND:
                if sub == Token.RANGE:
                    if tok.value.startswith(":"):
                        _mark(seg, _REF_OP)
                    if tok.value.lstrip(":").startswith("@"):
                        self.explicit.add(self.i - 1)
                    _term(seg, self.i - 1)
                else:
                    _term(seg, _Literal(tok.value[1:-1].lower() if sub == Token.TEXT else None))
            elif kind == Token.FUNC and sub == Token.OPEN:
                _term(seg, self.call(tok, self.i - 1))
            elif kind == Token.PAREN and sub == Token.OPEN:
                _term(seg, _Group(self.segment()))
                self.i += 1                  # the ')'
            elif kind == Token.ARRAY and sub == Token.OPEN:
                self.skip_array()
                _term(seg, _Literal(None))
            elif kind == Token.OP_IN:
                _mark(seg, _REF_OP if tok.value in (",", ":") else _VALUE_OP)
            elif kind in (Token.OP_PRE, Token.OP_POST):
                _mark(seg, _VALUE_OP)
        return seg

    def call(self, tok: Token, index: int) -> _Call:
        name = tok.value[:-1]
        prefix = None
        if ":" in name:
            head, name = name.rsplit(":", 1)
            prefix = index if head else None
        call = _Call(self.normalise(name), prefix)
        while self.i < len(self.tokens):
            call.args.append(self.segment())
            tok = self.tokens[self.i] if self.i < len(self.tokens) else None
            self.i += 1
            if tok is None or tok.type != Token.SEP:
                break
        if len(call.args) == 1 and not call.args[0]:
            call.args = []
        return call

    def skip_array(self) -> None:
        depth = 1
        while self.i < len(self.tokens) and depth:
            tok = self.tokens[self.i]
            if tok.type == Token.ARRAY:
                depth += 1 if tok.subtype == Token.OPEN else -1
            self.i += 1


def _term(seg: list[object], term: object) -> None:
    if seg and not isinstance(seg[-1], str):
        seg.append(_REF_OP)                  # two terms side by side: the intersection operator
    seg.append(term)


def _mark(seg: list[object], op: str) -> None:
    seg.append(op)


def _compound(direct: str) -> str:
    """Part of a reference expression (A1:INDEX(..), (A1,B2), A1:A9 B5:C5): never intersected."""
    return WHOLE if direct in (INTERSECT, INHERIT) else direct


class _Classifier:
    def __init__(self, explicit: set[int]) -> None:
        self.out: dict[int, str] = {}
        self.explicit = explicit

    def segment(self, seg: list[object], direct: str, array: bool) -> None:
        terms = [(k, e) for k, e in enumerate(seg) if not isinstance(e, str)]
        if _VALUE_OP not in seg:
            d = direct if len(terms) == 1 else _compound(direct)
            for _, e in terms:
                self.term(e, d, array)
            return
        value = WHOLE if array else INTERSECT
        for k, e in terms:
            near_ref = _REF_OP in (seg[k - 1] if k else None, seg[k + 1] if k + 1 < len(seg) else None)
            self.term(e, _compound(value) if near_ref else value, array)

    def term(self, e: object, direct: str, array: bool) -> None:
        if isinstance(e, int):
            self.out[e] = INTERSECT if e in self.explicit else direct
        elif isinstance(e, _Group):
            self.segment(e.seg, direct, array)
        elif isinstance(e, _Call):
            self.call(e, direct, array)

    def call(self, c: _Call, direct: str, array: bool) -> None:
        if c.prefix is not None:
            direct = _compound(direct)
            self.out[c.prefix] = direct
        info = None
        if c.name == "CELL" and c.args and len(c.args[0]) == 1 and isinstance(c.args[0][0], _Literal):
            info = c.args[0][0].text
        for k, arg in enumerate(c.args):
            cls = param_class(c.name, k, info)
            if cls == "A":
                self.segment(arg, WHOLE, True)
            elif cls == "R":
                self.segment(arg, WHOLE, array)
            elif cls == "V":
                self.segment(arg, WHOLE if array else INTERSECT, array)
            elif cls == "P":
                self.segment(arg, direct, array)
            elif cls == "N":
                self.segment(arg, NONREAD, array)
            else:                            # 'I': explicit intersection
                self.segment(arg, INTERSECT, array)


def classify(tokens: list[Token], top: str, array: bool,
             normalise: Callable[[str], str]) -> dict[int, str]:
    """Class of each reference operand (token index -> WHOLE/INTERSECT/NONREAD/INHERIT).

    A function token with a reference prefix ('A1:INDEX(') is classed by its index too. Tokens
    missing from the result (none, for balanced formulas) are read whole. Never raises.
    """
    parser = _Parser(tokens, normalise)
    seg = parser.segment(top=True)
    classifier = _Classifier(parser.explicit)
    classifier.segment(seg, top, array)
    return classifier.out
