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


"""Which mutants a proposed test still catches, known without a run.

A review that only rewords, moves or adds assertions around the canonical
test's own need not be run under every mutant: a mutant is known to be
caught when an assertion of the canonical test that catches it (in the
assertion x mutant matrix, :mod:`nova_resize_checks.matrix`) is kept
unchanged, at the same place, seeing the same values, and nothing the
review added or changed before it can raise or rebind what it reads.
:func:`still_caught` is that proof, static (ast only); it is sound only as
far as its lists of read-only calls, non-raising nodes and stable keys
are, so every doubt gives ``{}`` and the mutants run.
"""

import ast
import dataclasses
import typing

from nova_resize_checks import canonical
from nova_resize_checks import effects
from nova_resize_checks import frameworks


@dataclasses.dataclass
class _Statement:
    """An assertion or read-only assignment, outside the skeleton."""
    stmt: ast.stmt
    scope: tuple       # path of the enclosing function
    position: tuple    # (block path, skeleton statements before it)
    order: int         # source order among these statements
    dump: str
    assigns: typing.Optional[str]
    reads: frozenset
    read_only: bool
    cannot_raise: bool
    matched: typing.Optional['_Statement'] = None


def _names_read(node):
    return frozenset(n.id for n in ast.walk(node)
                     if isinstance(n, ast.Name) and
                     isinstance(n.ctx, ast.Load) and n.id != 'self')


def _module_names(tree):
    """Names a module binds at its top level (imports, defs, classes)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split('.')[0]
                         for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                               ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets
                         if isinstance(target, ast.Name))
    return frozenset(names)


def _function_locals(function, keywords):
    """Parameters and names a function binds, in order (for renaming).

    Parameters some call passes by keyword keep their name, as do names
    declared global or nonlocal.
    """
    names = []
    arguments = function.args
    for arg in (arguments.posonlyargs + arguments.args +
                ([arguments.vararg] if arguments.vararg else []) +
                arguments.kwonlyargs +
                ([arguments.kwarg] if arguments.kwarg else [])):
        if arg.arg != 'self' and arg.arg not in keywords and \
                arg.arg not in names:
            names.append(arg.arg)
    fixed = set()
    for node in ast.walk(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            fixed.update(node.names)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(
                node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
    return [n for n in names if n not in fixed]


def _normalize(tree, reserved):
    """Rename what a consistent rename may change, by structure.

    Each function's parameters and local names become ``_v0``, ``_v1``...
    in order of appearance; with ``reserved`` (names nova's test framework
    defines or uses), the test class's own private helper methods become
    ``_m0``, ``_m1``... in definition order, where no string names them
    and neither name is reserved.  Two versions that differ only by such
    renames then have the same dump.
    """
    _rename_locals(tree)
    if reserved:
        _rename_private_methods(tree, reserved)


def _rename_locals(tree):
    """Each function's parameters and locals become ``_v0``, ``_v1``..."""
    keywords = {kw.arg for node in ast.walk(tree)
                if isinstance(node, ast.Call) for kw in node.keywords
                if kw.arg}
    for function in [n for n in ast.walk(tree)
                     if isinstance(n, (ast.FunctionDef,
                                       ast.AsyncFunctionDef))]:
        mapping = {name: '_v%d' % index for index, name in
                   enumerate(_function_locals(function, keywords))}
        for arg in ast.walk(function.args):
            if isinstance(arg, ast.arg) and arg.arg in mapping:
                arg.arg = mapping[arg.arg]
        for statement in function.body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and node.id in mapping:
                    node.id = mapping[node.id]


def _rename_private_methods(tree, reserved):
    """A class's own private helpers become ``_m0``, ``_m1``..."""
    strings = {node.value for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and
               isinstance(node.value, str)}
    for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
        methods = [n for n in cls.body
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and n.name.startswith('_') and
                   not n.name.startswith('__') and
                   n.name not in reserved and n.name not in strings]
        mapping = {m.name: '_m%d' % index
                   for index, m in enumerate(methods)}
        for method in methods:
            method.name = mapping[method.name]
        for node in ast.walk(cls):
            if (isinstance(node, ast.Attribute) and
                    isinstance(node.value, ast.Name) and
                    node.value.id == 'self' and node.attr in mapping):
                node.attr = mapping[node.attr]


def _skeleton(source, rename=False, reserved=frozenset()):
    """(dump of the code without its movable statements, [_Statement]).

    Movable statements are ``self.assert*`` calls and assignments of a
    read-only expression to a name; the rest (the skeleton) is what drives
    nova.  Docstrings are dropped.  None for an unparsable source.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if rename:
        _normalize(tree, reserved)
    stripper = _Stripper(_module_names(tree))
    tree.body = stripper.strip(tree.body, (), (), False)
    # A compound statement's reads include its (stripped) body's; that
    # only makes the check below stricter.
    return (ast.dump(tree, include_attributes=False), stripper.found,
            stripper.skeleton_reads)


class _Stripper(object):
    """Takes the movable statements out of a tree's bodies, in order."""

    def __init__(self, module_names):
        self.module_names = module_names
        self.found = []
        self.skeleton_reads = []    # (scope, names) read by the skeleton

    def strip(self, body, path, scope, in_function):
        kept = []
        for stmt in body:
            if isinstance(stmt, ast.Expr) and isinstance(
                    stmt.value, ast.Constant) and isinstance(
                    stmt.value.value, str):
                continue
            if self._movable(stmt, path, len(kept), scope, in_function):
                continue
            self._descend(stmt, path, len(kept), scope, in_function)
            self.skeleton_reads.append((scope, _names_read(stmt)))
            kept.append(stmt)
        return kept

    def _movable(self, stmt, path, index, scope, in_function):
        """Record ``stmt`` when it is movable; whether it was."""
        call = effects.assertion_call(stmt)
        # Class and module attributes configure nova's test framework
        # (compute_driver, say): never movable.
        assigns = effects.read_only_assignment(stmt, self.module_names) \
            if in_function else None
        if call is None and assigns is None:
            return False
        self.found.append(_Statement(
            stmt=stmt, scope=scope, position=(path, index),
            order=len(self.found),
            dump=ast.dump(stmt, include_attributes=False),
            assigns=assigns, reads=_names_read(stmt),
            read_only=assigns is not None or (
                call.func.attr in effects.READ_ONLY_ASSERTIONS and
                effects.side_effect_free(call, assertion=call)),
            cannot_raise=effects.cannot_raise(stmt, call)))
        return True

    def _descend(self, stmt, path, index, scope, in_function):
        """Strip the bodies a compound statement holds."""
        inner, function = scope, in_function
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            inner = path + ((index, stmt.name),)
            function = not isinstance(stmt, ast.ClassDef)
        for field in ('body', 'orelse', 'finalbody'):
            sub = getattr(stmt, field, None)
            if isinstance(sub, list) and sub and \
                    isinstance(sub[0], ast.stmt):
                setattr(stmt, field, self.strip(
                    sub, path + ((index, field),), inner,
                    function) or [ast.Pass()])
        for number, handler in enumerate(getattr(stmt, 'handlers', [])):
            handler.body = self.strip(handler.body, path + (
                (index, 'handler%d' % number),), inner,
                function) or [ast.Pass()]


def _assignments(statements, scope, name):
    return [s for s in statements if s.scope == scope and s.assigns == name]


def _stable(statement, base, proposed, seen=frozenset()):
    """Does ``statement`` (kept) see the same values as in the canonical?

    Every name it reads is bound by the same read-only assignments, before
    it, in both versions (or by none: then the skeleton, which is equal,
    binds it).
    """
    twin = statement.matched
    for name in statement.reads:
        if name in seen:
            return False
        mine = _assignments(base, statement.scope, name)
        theirs = _assignments(proposed, statement.scope, name)
        if not mine and not theirs:
            continue
        if len(mine) != 1 or len(theirs) != 1 or \
                mine[0].matched is not theirs[0]:
            return False
        if not (mine[0].order < statement.order and
                theirs[0].order < twin.order):
            return False
        if not _stable(mine[0], base, proposed, seen | {name}):
            return False
    return True


def _pair(base_statements, proposed_statements):
    """Match statements equal in scope, place and text, in order."""
    free = list(proposed_statements)
    for statement in base_statements:
        for other in free:
            if (other.scope, other.position, other.dump) == (
                    statement.scope, statement.position, statement.dump):
                statement.matched, other.matched = other, statement
                free.remove(other)
                break


def _bound_alike(skeleton_reads, base_statements, proposed_statements):
    """Names the skeleton reads are bound as in the canonical."""
    for scope, names in skeleton_reads:
        for name in names:
            mine = _assignments(base_statements, scope, name)
            theirs = _assignments(proposed_statements, scope, name)
            if len(mine) != len(theirs) or any(
                    m.matched is not t for m, t in zip(mine, theirs)):
                return False
    return True


def _kept_assertions(base, proposed):
    """Lines of canonical assertions kept unchanged, seeing the same values.

    Empty when the versions differ in more than read-only statements.
    """
    if base is None or proposed is None or base[0] != proposed[0]:
        return set()
    base_statements, proposed_statements = base[1], proposed[1]
    _pair(base_statements, proposed_statements)
    # What was removed or added must not change what nova or later
    # statements see.
    if any(s.matched is None and not s.read_only
           for s in base_statements + proposed_statements):
        return set()
    # What was added must not end the run before a kept assertion.
    if any(s.matched is None and not s.cannot_raise
           for s in proposed_statements):
        return set()
    if not _bound_alike(base[2], base_statements, proposed_statements):
        return set()
    return {s.stmt.lineno for s in base_statements
            if s.matched is not None and s.assigns is None and
            _stable(s, base_statements, proposed_statements)}


def still_caught(proposed_source, matrix, canonical_source=None,
                 helper_names=frozenset()):
    """Mutants a proposed *test-only* version is known to still catch.

    For a version whose code is the canonical test's except for
    assertions and read-only assignments (a name bound to an expression
    that only reads placement or the API), a mutant is still caught when
    one of the canonical assertions that catch it (in ``matrix``) is kept
    unchanged at the same place, sees the same values, and every
    statement that was changed, added, moved or removed only reads: the
    test then runs as the canonical one does up to that assertion under
    the mutant and fails there at the latest.  Returns ``{mutant:
    Assertion}`` (the unchanged assertion that still catches it); ``{}``
    when nothing can be said and every mutant must be run.  Not for
    versions that also patch nova.

    Consistent renames of parameters and local names are seen through;
    so are renames of the test class's private helper methods when
    ``helper_names`` (the names nova's test framework defines or uses,
    e.g. ``review.findings.nova_helper_names()``) is given, so that a
    rename cannot silently override one of nova's hooks.
    """
    if canonical_source is None:
        canonical_source = canonical.read_test()
    # A rename onto a name the test framework defines or looks up
    # (testtools' ``_report_failure``, round 8) overrides it: never seen
    # through.
    if helper_names:
        helper_names = frozenset(helper_names) | frameworks.testcase_names()
    # Names as written first (a deletion shifts the renamed ones), then
    # with consistent renames seen through; either way is sound alone.
    kept = set()
    for rename in (False, True):
        kept |= _kept_assertions(
            _skeleton(canonical_source, rename, helper_names),
            _skeleton(proposed_source, rename, helper_names))
    by_line = {a.line: a for a in matrix.assertions}
    answer = {}
    for mutant in matrix.mutants:
        if matrix.runs[mutant]['error']:
            continue
        for key in sorted(matrix.caught(mutant), key=lambda k: int(k[1:])):
            line = int(key[1:])
            if line in kept and line in by_line:
                answer[mutant] = by_line[line]
                break
    return answer
