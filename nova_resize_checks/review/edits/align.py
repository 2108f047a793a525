# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Statement alignment: which statement of a snippet is which of the test.

A snippet is aligned with a block of the test by a weighted longest common
subsequence (:func:`align`) of statement pairs graded by :func:`grade`
(see :data:`GRADE_NAMES`): identical (``ast`` equal), same shape, same
target.  A changed statement pairs with a test statement only when the two
are alike by that measure or by :func:`similarity` over
:data:`SIMILAR_RATIO`; anything else is an insertion.
"""

import ast
import dataclasses
import difflib
import functools
import re
import textwrap
import typing

import libcst as cst

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.read import texts


@dataclasses.dataclass
class Stmt:
    block: int
    index: int
    node: typing.Any
    line: int
    dump: typing.Optional[str]
    shape: typing.Any
    loose: typing.Any
    code: str = ''


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return '.'.join(reversed(parts))
    return None


def _value_shape(value):
    if isinstance(value, ast.Call):
        name = _dotted(value.func) or ast.dump(value.func)
        positional = len([a for a in value.args
                          if not isinstance(a, ast.Starred)])
        return ('call', name, positional)
    if isinstance(value, ast.Await):
        return ('await', _value_shape(value.value))
    return (type(value).__name__,)


def keys(statements):
    """(shape, loose) keys of one statement, as parsed by ``ast``.

    (None, None) for several statements or one of a kind :data:`_KEYS`
    does not list; ``loose`` is None where a kind has no looser key.
    """
    if len(statements) != 1:
        return None, None
    stmt = statements[0]
    for kinds, of in _KEYS:
        if isinstance(stmt, kinds):
            return of(stmt)
    return None, None


def _expr_keys(stmt):
    value = stmt.value
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Call):
        shape = _value_shape(value)
        return shape, shape[:2]
    return None, None


def _assign_keys(stmt):
    targets = tuple(ast.dump(t) for t in stmt.targets)
    return (('assign', targets, _value_shape(stmt.value)),
            ('assign', targets))


def _ann_assign_keys(stmt):
    target = (ast.dump(stmt.target),)
    value = _value_shape(stmt.value) if stmt.value else None
    return ('assign', target, value), ('assign', target)


def _aug_assign_keys(stmt):
    target = ast.dump(stmt.target)
    return (('augassign', target, type(stmt.op).__name__,
             _value_shape(stmt.value)), ('augassign', target))


def _return_keys(stmt):
    value = _value_shape(stmt.value) if stmt.value else None
    return ('return', value), ('return',)


def _raise_keys(stmt):
    value = _value_shape(stmt.exc) if stmt.exc else None
    return ('raise', value), ('raise',)


def _test_keys(stmt):
    return ((type(stmt).__name__, ast.dump(stmt.test)),
            (type(stmt).__name__, _value_shape(stmt.test)))


def _for_keys(stmt):
    return (('for', ast.dump(stmt.target), ast.dump(stmt.iter)),
            ('for', ast.dump(stmt.target)))


def _with_keys(stmt):
    return (('with', tuple(ast.dump(i.context_expr) for i in stmt.items)),
            ('with', tuple(_value_shape(i.context_expr)
                           for i in stmt.items)))


def _try_keys(stmt):
    if not stmt.body:
        return None, None
    inner, _loose = keys(stmt.body[:1])
    return (('try', inner), None) if inner else (None, None)


# (statement kinds, their (shape, loose) keys), tried in order by keys().
_KEYS = (
    (ast.Expr, _expr_keys),
    (ast.Assign, _assign_keys),
    (ast.AnnAssign, _ann_assign_keys),
    (ast.AugAssign, _aug_assign_keys),
    (ast.Return, _return_keys),
    (ast.Assert,
     lambda stmt: (('assert', _value_shape(stmt.test)), None)),
    (ast.Raise, _raise_keys),
    (ast.Delete,
     lambda stmt: (('del', tuple(ast.dump(t) for t in stmt.targets)), None)),
    ((ast.If, ast.While), _test_keys),
    ((ast.For, ast.AsyncFor), _for_keys),
    ((ast.With, ast.AsyncWith), _with_keys),
    (ast.Try, _try_keys),
)


def describe(module_or_code, node):
    code = module_or_code.code_for_node(node) if node is not None else ''
    lines = [line.strip() for line in code.split('\n')
             if line.strip() and not line.strip().startswith('#')]
    return texts.short(lines[0] if lines else code, 70)


def _stmt_ast(code):
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    common.drop_docstrings(tree)
    return tree.body


def analyse(source_module, node):
    parsed = _stmt_ast(source_module.code_for_node(node))
    if parsed is None:
        return None, None, None
    shape, loose = keys(parsed)
    return ast.dump(ast.Module(body=parsed, type_ignores=[])), shape, loose


def grade(snip, stmt):
    if snip.dump is not None and snip.dump == stmt.dump:
        return 3
    if snip.shape is not None and snip.shape == stmt.shape:
        return 2
    if snip.loose is not None and snip.loose == stmt.loose:
        return 1
    return 0


# Two statements written differently are the old and new form of one
# line when their code (whitespace aside) is at least this alike, by
# difflib's ratio: 0.75 pairs a changed argument or an added message
# (``assertEqual(a, b)`` / ``assertEqual(a, b, 'msg')``, ``assertEqual`` /
# ``assertDictEqual`` with the same arguments) and keeps apart two
# assertions about different things that merely share a shape
# (``assertEqual('ERROR', server['status'])`` /
# ``assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])``: 0.62).
# Calls to the same method whose arguments differ in one place, or that
# only add arguments (a failure message), pair too (:func:`_same_call`).
SIMILAR_RATIO = 0.75


def bare_code(module, node):
    """The code of one statement without the comment lines before it."""
    return '\n'.join(line for line in module.code_for_node(node).split('\n')
                     if not line.lstrip().startswith('#'))


def similarity(a, b):
    """difflib's ratio of two statements' code, whitespace aside."""
    a, b = ''.join(a.split()), ''.join(b.split())
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _wraps(snip, stmt):
    """Whether ``snip`` (try/with/if) holds ``stmt`` unchanged in its body."""
    node = snip.node
    if not isinstance(node, (cst.Try, cst.With, cst.If)) or not stmt.code:
        return False
    want = ''.join(stmt.code.split())
    body = getattr(node.body, 'body', ())
    return any(''.join(cst.Module(body=[inner]).code.split()) == want
               for inner in body)


def extends(snip, stmt):
    """Whether ``snip`` is ``stmt``'s call with more arguments.

    The same function, every positional argument of ``stmt`` first and in
    order, every keyword of ``stmt`` kept; at least one argument more.
    """
    new, old = _call_of(snip.code), _call_of(stmt.code)
    if new is None or old is None or new[0] != old[0]:
        return False
    return new[1][:len(old[1])] == old[1] and set(old[2]) <= set(new[2]) \
        and len(new[1]) + len(new[2]) > len(old[1]) + len(old[2])


def pair_grade(snip, stmt):
    """The grade of ``snip`` as the new form of ``stmt``, or 0.

    Identical statements pair; a changed one pairs only with a statement
    it is similar to (:data:`SIMILAR_RATIO`) or that it wraps (a ``try``
    around an assertion): a new statement next to a similar one is an
    insertion, not a replacement.
    """
    found = grade(snip, stmt)
    if found == 3:
        return 3
    if _assigns_other_names(snip, stmt):
        # ``dest_rp_usages = self._get_provider_usages(dest_rp_uuid)`` is
        # alike ``source_rp_usages = ...`` but binds another name: new.
        return 0
    if _wraps(snip, stmt):
        return 2
    if _other_subjects(snip, stmt):
        return 0
    if similarity(snip.code, stmt.code) >= SIMILAR_RATIO or _same_call(
            snip.code, stmt.code) or _same_operands(snip.code, stmt.code):
        return max(found, 1)
    return 0


_SELF_ASSERTION_RE = re.compile(
    r"^Attribute\(value=Name\(id='self'(?:, ctx=Load\(\))?\), "
    r"attr='(?:assert\w*|fail\w*)'")
_ROOT_RE = re.compile(r"^(?:(?:Attribute|Subscript|Call)\((?:value|func)=)*"
                      r"Name\(id='(\w+)'")


def _other_subjects(snip, stmt):
    """The same call, reading another object where the test's reads one.

    ``assertEqual(dest_host, migration['dest_compute'])`` is no new form
    of ``assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])``, nor
    ``assertFlavorMatchesUsage(source_rp_uuid)`` of
    ``assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)``: each checks
    another thing, however alike the text.  An argument that reads a
    named object (``server[...]``, ``dest_rp_uuid``) in both, at the same
    place, from two different names, tells.  Two of the test case's
    assertions count as the same call (``assertDictEqual(no_usage,
    dest_rp_usages)`` is no new form of ``assertEqual(no_usage,
    source_rp_usages)``).
    """
    a, b = _call_of(snip.code), _call_of(stmt.code)
    if not (a and b and (a[0] == b[0] or (
            _SELF_ASSERTION_RE.match(a[0]) and
            _SELF_ASSERTION_RE.match(b[0])))):
        return False
    for x, y in zip(a[1], b[1]):
        m, n = _ROOT_RE.match(x), _ROOT_RE.match(y)
        if m and n and m.group(1) != n.group(1) and \
                'self' not in (m.group(1), n.group(1)):
            return True
    return False


def _assigns_other_names(snip, stmt):
    a, b = snip.shape, stmt.shape
    return bool(a and b and a[0] in ('assign', 'augassign') and
                b[0] in ('assign', 'augassign') and a[1] != b[1])


def _shares_an_argument(snip, stmt):
    a, b = _call_of(snip.code), _call_of(stmt.code)
    return bool(a and b and set(a[1]) & set(b[1]))


@functools.lru_cache(maxsize=4096)
def _call_of(code):
    """(callee, positional args, sorted keywords) as ``ast.dump`` strings.

    Cached: the alignment grades every snippet statement against every
    test statement, and four of its measures ask for the same call.
    Tuples, so that no caller can change a cached answer.
    """
    tree = texts.parse_python(textwrap.dedent(code))
    if tree is None or len(tree.body) != 1 or not isinstance(
            tree.body[0], ast.Expr) or not isinstance(tree.body[0].value,
                                                      ast.Call):
        return None
    call = tree.body[0].value
    return (ast.dump(call.func), tuple(ast.dump(a) for a in call.args),
            tuple(sorted(ast.dump(k) for k in call.keywords)))


def _same_call(a, b):
    """The same method called with the same arguments but one, or more."""
    a, b = _call_of(a), _call_of(b)
    if not a or not b or a[0] != b[0]:
        return False
    short, long_ = sorted((a[1], b[1]), key=len)
    if long_[:len(short)] == short and a[2] == b[2]:
        return bool(short)      # only added arguments (a message)
    if len(short) != len(long_) or len(short) < 2 or a[2] != b[2]:
        return False
    return sum(1 for x, y in zip(short, long_) if x != y) == 1


def _same_operands(a, b):
    """Another assertion method over the same operands, in any order.

    ``assertIn(msg, fault)`` / ``assertRegex(fault, msg)``: at least two
    positional arguments, equal as a multiset, the same keywords, and both
    callees ``self.assert...``.
    """
    a, b = _call_of(a), _call_of(b)
    if not a or not b or len(a[1]) < 2 or a[2] != b[2] or \
            sorted(a[1]) != sorted(b[1]):
        return False
    return all(re.match(r"Attribute\(value=Name\(id='self'.*attr='assert",
                        call[0]) for call in (a, b))


IDENTICAL = 3
GRADE_NAMES = {IDENTICAL: 'identical', 2: 'same shape', 1: 'same target'}


_TOKENS = re.compile(r"(?:id|attr|arg)='(\w+)'|value=('[^']*'|\d+)")


def tokens(stmt):
    return {a or b for a, b in _TOKENS.findall(stmt.dump or '')}


def closest(snip, tops):
    """Among equally graded statements, the one sharing the most names.

    ``self.assertEqual(source_rp_usages, no_usage)`` has the shape of every
    two-argument assertEqual of the test, but its names single out
    ``self.assertEqual(no_usage, source_rp_usages)``.  Returns ``tops``
    unchanged when no single statement is closest.
    """
    wanted = tokens(snip)
    scored = []
    for stmt in tops:
        have = tokens(stmt)
        union = wanted | have
        scored.append((len(wanted & have) / len(union) if union else 0.0,
                       stmt))
    scored.sort(key=lambda pair: -pair[0])
    if scored and scored[0][0] > 0.5 and (
            len(scored) == 1 or scored[0][0] > scored[1][0]):
        return [scored[0][1]]
    return tops


def align(snips, entries, j0, p0):
    """Weighted LCS of two short statement lists; returns {j: (p, g)}."""
    n, m = len(snips), len(entries)
    if not n or not m:
        return {}
    score = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            g = pair_grade(snips[a], entries[b]) if entries[b] else 0
            best = max(score[a + 1][b], score[a][b + 1])
            if g:
                best = max(best, g + score[a + 1][b + 1])
            score[a][b] = best
    out = {}
    a = b = 0
    while a < n and b < m:
        g = pair_grade(snips[a], entries[b]) if entries[b] else 0
        if g and score[a][b] == g + score[a + 1][b + 1]:
            out[j0 + a] = (p0 + b, g)
            a, b = a + 1, b + 1
        elif score[a + 1][b] >= score[a][b + 1]:
            a += 1
        else:
            b += 1
    return out
