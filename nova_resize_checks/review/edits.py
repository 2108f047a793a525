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


"""Apply the changes a review proposes to the canonical test (and to nova).

:func:`apply_changes` turns a list of :class:`model.Change` into a
:class:`model.ProposedVersion`.  Changes are applied in order, each one to
the result of the previous ones; a change that cannot be applied leaves the
text as it was and says why (:class:`model.Applied`).  The test must still
parse (``ast`` and libcst) after every change, nova files (``ast``) too.
Nothing here runs, imports, evaluates or prints review code: it is parsed
and edited as text or as a libcst tree, so code a change does not touch
keeps its exact form (comments, blank lines, quoting).  Installed nova is
never written: a patched nova file goes to ``nova_overlay[path]``.

Anchoring is by content, not by the line numbers a review quotes (those
are lines of upstream's older test, not of ours), and follows a strictness
ladder that stops at the first rung that finds anything; a rung that finds
two equally good places refuses instead of guessing.

* TEST_DIFF / NOVA_DIFF: read with unidiff, or by a tolerant reader when
  unidiff rejects the text or disagrees with a count-free reading (unidiff
  trusts hunk counts and silently drops lines beyond them).  Each hunk's
  context and removed lines are looked up as a block: exactly, then
  ignoring trailing whitespace, then ignoring indentation and inner
  whitespace (added lines are re-indented by the same offset), then
  comparing code lines only (blank and comment-only lines on either side
  ignored, the file's own comments kept).  Header line numbers are
  ignored; hunks of one file are applied in order, a later hunk's ambiguity
  being settled by "after the previous hunk".  Files are routed by the
  diff's paths: ``test_bug_1825537.py`` (ours or upstream's) to the test,
  ``.../nova/...py`` to the overlay.  One failing hunk fails the change.
* TEST_SNIPPET: ``def``/``class`` snippets replace the def of the same name
  (top level, or a method of the test class; a snippet indented at class
  level is dedented; statements the new def repeats keep their old form and
  comments); a partial class (missing methods) is merged member by member
  under the old class header.  A def that does not exist is added (to the
  test class if it takes ``self``/``cls``).  Imports are added once.
  Plain statements: rung 1, the whole snippet occurs verbatim (``ast``)
  -> no change; rung 2, each snippet statement is graded against every
  statement of the test: 3 = same ``ast``, 2 = same shape (same call target
  and number of positional arguments, same assignment targets and value
  shape, ...), 1 = same call target or assignment targets.  A statement
  whose best grade is held by exactly one test statement anchors the
  snippet; the snippet replaces the block region between its anchors
  (extended over neighbours that correspond), statements without a partner
  are inserted.  No anchor, only ambiguous anchors, or anchors in different
  places -> refused.  Snippets that elide code (``...``, "rest unchanged")
  are refused.
* LINE_CHANGE and REMOVE of a line: line numbers are lines of the test as
  given to :func:`apply_changes`, followed through earlier changes; a line
  an earlier change rewrote is refused.  Consecutive line edits from the
  same place of the review ("change lines N-M to") are applied together.
* RENAME: libcst renames names, parameters, defs, ``self.X``/``cls.X``
  attributes, keyword arguments of calls to local defs that take the name,
  and aliases imports (``import x as new``).
* REMOVE of a name: a def, else a parameter (with the argument at call
  sites), else assignments (a call on the right-hand side is kept as a
  statement), else an import; the review's wording ("unused argument")
  picks first.  Empty bodies get ``pass``.  What still uses the name is
  reported, not refused.  REMOVE of a statement removes its one verbatim
  occurrence.

libcst's native parser can crash the process on pathological nesting, so
every text passes ``ast`` and a nesting bound first (:func:`_cst_parse`).
"""

import ast
import dataclasses
import difflib
import keyword
import posixpath
import re
import textwrap
import typing

import libcst as cst
from libcst import matchers as cst_matchers
from libcst import metadata as cst_metadata

from nova_resize_checks.review import diffs
from nova_resize_checks.review import model

TEST_BASENAME = 'test_bug_1825537.py'
CANONICAL_CLASS = 'FinishResizeErrorAllocationCleanupTestCase'
# A change's code larger than this is refused unread (a test is ~5 kB).
MAX_CODE_CHARS = 500000
# Deeper code is refused before libcst sees it (see _cst_parse).
MAX_NESTING = 1000

_TEMP_INDENT = '    '
_NAME_RE = re.compile(r'^(?:self\.|cls\.)?[A-Za-z_]\w*(?:\(\))?$')
_BLANK = cst.EmptyLine(indent=False)


class _Refused(Exception):
    """A change cannot be applied; the message says why."""


@dataclasses.dataclass
class _State:
    test: str
    overlay: typing.Dict[str, str]


# --------------------------------------------------------------------------
# Public API


def apply_changes(test_source, changes, nova_reader):
    """Apply ``changes`` in order to ``test_source``.

    :param test_source: text of the canonical test.
    :param changes: iterable of :class:`model.Change`.
    :param nova_reader: ``nova_reader(path)`` returns the original text of a
        nova file such as ``'nova/compute/manager.py'`` or raises.
    :returns: :class:`model.ProposedVersion`; ``applied`` holds one
        :class:`model.Applied` per change, in order.
    """
    changes = list(changes)
    state = _State(test=test_source, overlay={})
    lines = _LineMap(test_source)
    results = []
    start = 0
    while start < len(changes):
        end = start + 1
        if _is_line_edit(changes[start]):
            while (end < len(changes) and _is_line_edit(changes[end])
                   and changes[end].span == changes[start].span):
                end += 1
        group = changes[start:end]
        state, lines, outcome = _apply_group(state, lines, group,
                                             nova_reader)
        results.extend(outcome)
        start = end
    return model.ProposedVersion(test_source=state.test,
                                 nova_overlay=dict(state.overlay),
                                 applied=results)


def _is_line_edit(change):
    """"Change line N"/"remove line N": numbered lines of the test."""
    return change.kind == model.LINE_CHANGE or (
        change.kind == model.REMOVE and change.line and not change.old)


def _apply_group(state, lines, group, nova_reader):
    """Apply changes that stand or fall together.

    A group is one change, or consecutive line edits from the same place of
    the review ("change lines 10-12 to ..." arrives as a change of line 10
    and removals of lines 11 and 12): their intermediate results need not
    parse, only the final one.
    """
    work = state
    work_lines = lines.copy()
    reasons = []
    try:
        for change in group:
            try:
                test, overlay, reason = _apply_one(work, change, nova_reader,
                                                   work_lines)
            except _Refused as exc:
                if len(group) > 1:
                    raise _Refused('%s (%s)' % (exc, change.summary
                                                or change.kind))
                raise
            work_lines.update(work.test, test)
            work = _State(test=test, overlay=overlay)
            reasons.append(reason)
        _check_parses(work.test, 'the test')
        for path in sorted(work.overlay):
            if work.overlay[path] is not state.overlay.get(path):
                _check_compiles(work.overlay[path], path)
    except _Refused as exc:
        failed = str(exc)
    except RecursionError:
        failed = 'code is too deeply nested to edit'
    except Exception as exc:  # never let one change stop the others
        failed = 'could not apply: %s: %s' % (
            type(exc).__name__, _short(str(exc), 200))
    else:
        return work, work_lines, [model.Applied(change, True, reason)
                                  for change, reason in zip(group, reasons)]
    if len(group) > 1:
        failed = ('not applied with the %d line edits of its group: %s'
                  % (len(group), failed))
    return state, lines, [model.Applied(change, False, failed)
                          for change in group]


class _LineMap(object):
    """Where each line of the original test is now.

    Line numbers in changes refer to the test as it was given to
    :func:`apply_changes`; earlier changes move lines (or change them, then
    they are gone).  Kept up to date with ``difflib`` after each change.
    """

    def __init__(self, text, where=None):
        self.count = len(text.splitlines())
        self.where = (list(where) if where is not None
                      else list(range(1, self.count + 1)))

    def copy(self):
        mapped = _LineMap('', self.where)
        mapped.count = self.count
        return mapped

    def current(self, number):
        """Current line of original line ``number``; refuses if gone."""
        if not isinstance(number, int) or not 1 <= number <= self.count:
            raise _Refused('line %s is out of range (the test has %d lines)'
                           % (number, self.count))
        now = self.where[number - 1]
        if now is None:
            raise _Refused('line %d was already changed by an earlier '
                           'change' % number)
        return now

    def update(self, old, new):
        if old == new:
            return
        matcher = difflib.SequenceMatcher(None, old.splitlines(),
                                          new.splitlines(), autojunk=False)
        moved = {}
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            if tag == 'equal':
                for k in range(i2 - i1):
                    moved[i1 + k + 1] = j1 + k + 1
        self.where = [moved.get(now) if now is not None else None
                      for now in self.where]


def normalize(source):
    """Return a key equal for sources that differ only in form.

    Parsed sources give ``'ast:'`` and the ``ast.dump`` of the module with
    docstrings dropped (comments and whitespace never reach the ``ast``);
    sources that do not parse give ``'text:'`` and the text with runs of
    whitespace collapsed.
    """
    try:
        tree = ast.parse(source)
        _drop_docstrings(tree)
        return 'ast:' + ast.dump(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 'text:' + ' '.join(str(source).split())


# --------------------------------------------------------------------------
# Dispatch


def _apply_one(state, change, nova_reader, lines):
    if len(change.code or '') > MAX_CODE_CHARS:
        raise _Refused('code is too large (%d characters, limit %d)'
                       % (len(change.code), MAX_CODE_CHARS))
    kind = change.kind
    if kind == model.TEST_FULL:
        return _apply_full(state, change)
    if kind == model.TEST_SNIPPET:
        test, reason = _apply_snippet(state.test, change.code,
                                      change.partial)
        return test, state.overlay, reason
    if kind in (model.TEST_DIFF, model.NOVA_DIFF):
        return _apply_patch(state, change, nova_reader)
    if kind == model.LINE_CHANGE:
        test, reason = _apply_line_change(state.test, change,
                                          lines.current(change.line))
        return test, state.overlay, reason
    if kind == model.RENAME:
        test, reason = _apply_rename(state.test, change.old, change.new)
        return test, state.overlay, reason
    if kind == model.REMOVE:
        old = (change.old or '').strip().strip('`').strip()
        if _is_line_edit(change):
            test, reason = _remove_line(state.test, change.line,
                                        lines.current(change.line))
        elif change.unit == model.KEYWORD:
            test, reason = _remove_by_keyword(state.test, old,
                                              change.target)
        elif change.unit == model.CALLS and _NAME_RE.match(old):
            test, reason = _remove_calls(state.test, old, change.target)
        elif _NAME_RE.match(old):
            try:
                test, reason = _apply_remove(state.test, change.old,
                                             change.summary)
            except _Refused as nothing_named:
                # "delete the assertIn in f": nothing of that name is
                # defined, so the one statement calling it is meant.
                try:
                    test, reason = _remove_calls(state.test, old,
                                                 change.target, single=True)
                except _Refused:
                    raise nothing_named
        elif (change.old or '').strip():
            test, reason = _remove_statement(state.test, change.old)
        else:
            raise _Refused('nothing to remove (no name, statement or line)')
        return test, state.overlay, reason
    if kind == model.REPLACE:
        path, _, scope = (change.target or '').partition(':')
        rel = _nova_relpath(path) if path.startswith('nova/') else None
        if rel is None:
            test, reason = _apply_replace(state.test, change.old, change.new,
                                          change.target)
            return test, state.overlay, reason
        overlay = dict(state.overlay)
        if rel not in overlay:
            overlay[rel] = _read_nova(nova_reader, rel)
        overlay[rel], reason = _apply_replace(overlay[rel], change.old,
                                              change.new, scope or None)
        return state.test, overlay, '%s: %s' % (rel, reason)
    if kind == model.INSERT:
        test, reason = _apply_insert(state.test, change.code, change.old,
                                     change.new, change.target)
        return test, state.overlay, reason
    raise _Refused('unknown change kind %r' % (kind,))


# Statement keywords and the libcst nodes they begin.
_KEYWORD_NODES = {
    'return': (cst.Return,), 'assert': (cst.Assert,), 'raise': (cst.Raise,),
    'pass': (cst.Pass,), 'del': (cst.Del,), 'import': (
        cst.Import, cst.ImportFrom), 'from': (cst.ImportFrom,),
    'if': (cst.If,), 'for': (cst.For,), 'while': (cst.While,),
    'with': (cst.With,), 'try': (cst.Try,), 'global': (cst.Global,),
    'nonlocal': (cst.Nonlocal,), 'break': (cst.Break,),
    'continue': (cst.Continue,),
}


class _InDef(cst.CSTTransformer):
    """A transformer that knows whether it is inside the def ``scope``.

    Always, when no scope is given.
    """

    def __init__(self, scope=None):
        super(_InDef, self).__init__()
        self.scope = scope
        self.defs = []

    def visit_FunctionDef(self, node):
        self.defs.append(node.name.value)

    def leave_FunctionDef(self, original, updated):
        self.defs.pop()
        return updated

    def _active(self):
        return not self.scope or self.scope in self.defs


class _RemoveStatements(_InDef):
    """Remove the statements ``matches`` accepts.

    A compound statement, or one small statement of a line; inside the def
    ``scope`` if one is given.
    """

    def __init__(self, matches, scope=None):
        super(_RemoveStatements, self).__init__(scope)
        self.matches = matches
        self.removed = []

    def leave_SimpleStatementLine(self, original, updated):
        if not self._active():
            return updated
        kept = []
        for small in updated.body:
            if self.matches(small):
                self.removed.append(small)
            else:
                kept.append(small)
        if len(kept) == len(updated.body):
            return updated
        if not kept:
            return cst.RemovalSentinel.REMOVE
        return updated.with_changes(body=kept)

    def on_leave(self, original, updated):
        if isinstance(original, cst.BaseCompoundStatement) and \
                self._active() and self.matches(original):
            self.removed.append(original)
            return cst.RemovalSentinel.REMOVE
        return super(_RemoveStatements, self).on_leave(original, updated)


def _remove_matching(source, matches, scope, what):
    module = _cst_parse(source)
    defs = {node.name.value for node in cst_matchers.findall(
        module, cst_matchers.FunctionDef())}
    if scope not in defs:
        scope = None
    transformer = _RemoveStatements(matches, scope)
    result = module.visit(transformer).visit(_FillEmpty())
    inside = ' in %s' % scope if scope else ' in the test'
    count = len(transformer.removed)
    if not count:
        raise _Refused('no %s%s' % (what, inside))
    return result.code, count, inside


def _remove_by_keyword(source, word, scope):
    """Remove the one ``word`` statement (``return``, ``if``, ...)."""
    kinds = _KEYWORD_NODES.get(word)
    if not kinds:
        raise _Refused('`%s` does not begin a statement' % word)
    code, count, inside = _remove_matching(
        source, lambda node: isinstance(node, kinds), scope,
        '%s statement' % word)
    if count > 1:
        raise _Refused('%d %s statements%s; cannot tell which to remove'
                       % (count, word, inside))
    return code, 'removed the %s statement%s' % (word, inside)


def _remove_calls(source, name, scope, single=False):
    """Remove the statements that call ``name`` (or assign such a call).

    With ``single``, only when there is exactly one.
    """
    called = name.rstrip('()').rsplit('.', 1)[-1]
    call = cst_matchers.Call(func=cst_matchers.Name(called) |
                             cst_matchers.Attribute(
                                 attr=cst_matchers.Name(called)))

    def matches(node):
        return cst_matchers.matches(node, cst_matchers.Expr(value=call) |
                                    cst_matchers.Assign(value=call))

    code, count, inside = _remove_matching(
        source, matches, scope, 'statement calling %s' % called)
    if single and count > 1:
        raise _Refused('%d statements call %s%s; cannot tell which to '
                       'remove' % (count, called, inside))
    return code, 'removed %d statement(s) calling %s%s' % (
        count, called, inside)


def _ast_key(code):
    """A statement's code without layout or comments, or None."""
    try:
        return ast.dump(ast.parse(textwrap.dedent(code).strip()))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _InsertStatements(_InDef):
    """Insert ``new`` next to every statement ``is_anchor`` accepts.

    Only inside the def named ``scope`` when one is given.
    """

    def __init__(self, new, where, is_anchor, scope=None):
        super(_InsertStatements, self).__init__(scope)
        self.new = new
        self.where = where
        self.is_anchor = is_anchor
        self.anchors = []

    def leave_IndentedBlock(self, original, updated):
        if not self._active():
            return updated
        body = []
        for stmt in updated.body:
            if self.is_anchor(stmt):
                self.anchors.append(stmt)
                if self.where == 'before':
                    body.extend(self.new)
                body.append(stmt)
                if self.where == 'after':
                    body.extend(self.new)
            else:
                body.append(stmt)
        return updated.with_changes(body=body)


class _AddToDef(cst.CSTTransformer):
    """Add statements at the end or start of the body of def ``name``."""

    def __init__(self, new, where, name):
        super(_AddToDef, self).__init__()
        self.new = new
        self.where = where
        self.name = name
        self.done = 0

    def leave_FunctionDef(self, original, updated):
        if original.name.value != self.name or \
                not isinstance(updated.body, cst.IndentedBlock):
            return updated
        self.done += 1
        body = list(updated.body.body)
        if self.where == 'end':
            body.extend(self.new)
        else:
            at = 1 if body and _is_docstring(body[0]) else 0
            body[at:at] = self.new
        return updated.with_changes(
            body=updated.body.with_changes(body=body))


def _insert_at_edge(source, new, where, scope):
    module = _cst_parse(source)
    transformer = _AddToDef(new, where, scope)
    result = module.visit(transformer)
    if transformer.done != 1:
        raise _Refused('%s def named %s in the test' % (
            'no' if not transformer.done else 'more than one', scope))
    return result.code, 'added %d statement(s) at the %s of %s' % (
        len(new), where, scope)


def _apply_insert(source, code, anchor, where, scope):
    """Insert statements ``code`` ``where`` ('after'/'before') an anchor.

    ``anchor`` names one statement: its text, or a function it calls.
    """
    try:
        new = list(cst.parse_module(
            textwrap.dedent(code).strip() + '\n').body)
    except Exception:
        raise _Refused('`%s` is not Python statements' % _short(code, 60))
    if where in ('end', 'start'):
        return _insert_at_edge(source, new, where, scope)
    anchor = anchor.strip().strip('`').strip()
    anchor_key = _ast_key(anchor)
    called = anchor.rstrip('()').rsplit('.', 1)[-1]
    by_call = bool(_NAME_RE.match(anchor))
    empty = cst.Module(body=[])

    def is_anchor(stmt):
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        if by_call:
            return bool(cst_matchers.findall(stmt, cst_matchers.Call(
                func=cst_matchers.Name(called) | cst_matchers.Attribute(
                    attr=cst_matchers.Name(called)))))
        return anchor_key is not None and \
            _ast_key(empty.code_for_node(stmt)) == anchor_key

    module = _cst_parse(source)
    defs = {node.name.value for node in cst_matchers.findall(
        module, cst_matchers.FunctionDef())}
    if scope not in defs:
        scope = None
    transformer = _InsertStatements(new, where, is_anchor, scope)
    result = module.visit(transformer)
    what = ('the call to %s' % called if by_call
            else '`%s`' % _short(anchor, 60))
    inside = ' in %s' % scope if scope else ''
    if not transformer.anchors:
        raise _Refused('%s is not a statement of the test%s'
                       % (what, inside))
    if len(transformer.anchors) > 1:
        raise _Refused('%s occurs %d times%s; cannot tell where to add '
                       'the statements' % (what, len(transformer.anchors),
                                           inside))
    return result.code, 'added %d statement(s) %s %s%s' % (
        len(new), where, what, inside)


class _ReplaceExpression(cst.CSTTransformer):
    """Replace every expression equal to ``old`` with ``new``.

    Only inside the def named ``scope`` when one is given, in the calls
    of ``call:f``, or in the statement on ``line:N``.
    """

    METADATA_DEPENDENCIES = (cst_metadata.PositionProvider,)

    def __init__(self, old, new, scope=None):
        super(_ReplaceExpression, self).__init__()
        self.old = old
        self.new = new
        self.scope = scope
        self.depth = 0 if scope else 1
        self.count = 0
        self.old_key = _expression_key(old)

    def _in_scope(self, node):
        if not self.scope:
            return False
        if self.scope.startswith('line:'):
            if not isinstance(node, cst.SimpleStatementLine):
                return False
            where = self.get_metadata(cst_metadata.PositionProvider, node)
            return where.start.line <= int(self.scope[5:]) <= where.end.line
        if self.scope.startswith('call:'):
            if not isinstance(node, cst.Call):
                return False
            func = node.func
            name = func.attr if isinstance(func, cst.Attribute) else func
            return isinstance(name, cst.Name) and \
                name.value == self.scope[5:]
        return isinstance(node, cst.FunctionDef) and \
            node.name.value == self.scope

    def on_visit(self, node):
        if self._in_scope(node):
            self.depth += 1
        return super(_ReplaceExpression, self).on_visit(node)

    def on_leave(self, original, updated):
        updated = super(_ReplaceExpression, self).on_leave(original, updated)
        if self._in_scope(original):
            self.depth -= 1
        if self.depth and isinstance(original, cst.BaseExpression) and (
                original.deep_equals(self.old) or (
                    type(original) is type(self.old) and
                    _expression_key(original) == self.old_key)):
            self.count += 1
            return self.new
        return updated


def _expression_key(node):
    """An expression's code without layout (line breaks, spacing)."""
    code = cst.Module(body=[]).code_for_node(node)
    try:
        return ast.dump(ast.parse('(%s\n)' % code, mode='eval'))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _expression(text, what):
    try:
        return cst.parse_expression(text.strip().strip('`').strip())
    except Exception:
        raise _Refused('%s `%s` is not a Python expression'
                       % (what, _short(text, 60)))


def _apply_replace(source, old, new, scope):
    """``old`` -> ``new`` wherever it occurs (in def ``scope``)."""
    old_node = _expression(old or '', 'the text to replace')
    new_node = _expression(new or '', 'the replacement')
    module = _cst_parse(source)
    defs = cst_matchers.findall(module, cst_matchers.FunctionDef())
    if scope and not scope.startswith(('call:', 'line:')) and scope not in {
            node.name.value for node in defs}:
        scope = None
    transformer = _ReplaceExpression(old_node, new_node, scope)
    result = cst_metadata.MetadataWrapper(module).visit(transformer)
    where = ('in the calls to %s' % scope[5:] if scope and scope.startswith(
        'call:') else 'on line %s' % scope[5:] if scope and scope.startswith(
        'line:') else 'in %s' % scope if scope else 'in the test')
    if not transformer.count:
        raise _Refused('`%s` does not occur %s' % (_short(old, 60), where))
    return result.code, 'replaced `%s` with `%s` %d time(s) %s' % (
        _short(old, 40), _short(new, 40), transformer.count, where)


def _cst_parse(text):
    """``ast.parse`` then ``libcst.parse_module``.

    libcst's native parser can overflow the C stack (and kill the process)
    on input that ``ast`` accepts, e.g. ``a or a or ...`` 8000 times, or on
    input nested deeper than ``ast`` allows.  ``ast`` goes first and a
    nesting bound (counting each operand of a boolean chain or comparison
    as a level) is enforced before libcst sees the text.  Raises
    ``SyntaxError``/``ValueError`` (ast), ``libcst.ParserSyntaxError`` or
    :class:`_Refused`.
    """
    try:
        tree = ast.parse(text)
    except (RecursionError, MemoryError):
        raise _Refused('code is nested too deeply to edit')
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values)
        elif isinstance(node, ast.Compare):
            depth += len(node.ops)
        else:
            depth += 1
        if depth > MAX_NESTING:
            raise _Refused('code is nested too deeply to edit (more than %d '
                           'levels)' % MAX_NESTING)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return cst.parse_module(text)


def _check_parses(text, what):
    try:
        _cst_parse(text)
    except cst.ParserSyntaxError as exc:
        raise _Refused('result would not parse (%s): %s'
                       % (what, _short(str(exc).splitlines()[0], 160)))
    except (SyntaxError, ValueError) as exc:
        raise _Refused('result would not parse (%s): %s'
                       % (what, _short(str(exc), 160)))


def _check_compiles(text, what):
    """Check a nova file of the overlay with ``ast`` only.

    Nova files are edited as text, never with libcst (which takes seconds
    to parse nova/compute/manager.py).
    """
    try:
        ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        raise _Refused('result would not parse (%s): %s'
                       % (what, _short(str(exc), 160)))
    except (RecursionError, MemoryError):
        raise _Refused('result is nested too deeply to check (%s)' % what)


def _short(text, limit):
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _drop_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:]


def _identifier(name, what):
    name = (name or '').strip().strip('`\'"').strip()
    if name.endswith('()'):
        name = name[:-2]
    for prefix in ('self.', 'cls.'):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if not name.isidentifier() or keyword.iskeyword(name):
        raise _Refused('%s %r is not an identifier' % (what, name))
    return name


# --------------------------------------------------------------------------
# TEST_FULL


def _apply_full(state, change):
    code = change.code or ''
    if not code.strip():
        raise _Refused('the proposed file is empty')
    if not code.endswith('\n'):
        code += '\n'
    try:
        _cst_parse(code)
    except cst.ParserSyntaxError as exc:
        raise _Refused('the proposed file does not parse: %s'
                       % _short(str(exc).splitlines()[0], 160))
    except (SyntaxError, ValueError) as exc:
        raise _Refused('the proposed file does not parse: %s'
                       % _short(str(exc), 160))
    if normalize(code) == normalize(state.test):
        reason = 'replaced the whole test (same code as before)'
    else:
        reason = 'replaced the whole test'
    return code, state.overlay, reason


# --------------------------------------------------------------------------
# LINE_CHANGE


def _apply_line_change(source, change, number):
    """Replace line ``number`` (current numbering) with ``change.code``."""
    lines = source.split('\n')
    code = (change.code or '').replace('\r\n', '\n').strip('\n')
    if not code.strip():
        raise _Refused('no replacement code for line %d' % change.line)
    original = lines[number - 1]
    if change.old and (' '.join(change.old.split())
                       != ' '.join(original.split())):
        raise _Refused('line %d reads %r, not %r'
                       % (change.line, _short(original.strip(), 80),
                          _short(change.old.strip(), 80)))
    new_lines = code.split('\n')
    if new_lines[0][:1] not in (' ', '\t'):
        indent = original[:len(original) - len(original.lstrip())]
        new_lines = [indent + line if line.strip() else line
                     for line in new_lines]
    if new_lines == [original]:
        return source, 'line %d already reads so (no change)' % change.line
    lines[number - 1:number] = new_lines
    moved = '' if number == change.line else ' (now line %d)' % number
    return '\n'.join(lines), 'replaced line %d%s' % (change.line, moved)


def _remove_line(source, original_number, number):
    lines = source.split('\n')
    text = lines.pop(number - 1)
    moved = '' if number == original_number else ' (now line %d)' % number
    return '\n'.join(lines), 'removed line %d%s: %s' % (
        original_number, moved, _short(text.strip(), 70) or '(blank)')


# --------------------------------------------------------------------------
# Unified diffs


def _is_test_path(path):
    return path == 'test' or posixpath.basename(path) == TEST_BASENAME


def _nova_relpath(path):
    """'a/nova/compute/manager.py' -> 'nova/compute/manager.py' (or None)."""
    parts = [part for part in path.replace('\\', '/').split('/')
             if part not in ('', '.')]
    if '..' in parts or 'nova' not in parts:
        return None
    rel = parts[parts.index('nova'):]
    if len(rel) < 2 or not rel[-1].endswith('.py'):
        return None
    return '/'.join(rel)


def _apply_patch(state, change, nova_reader):
    files, note = diffs.read(change.code or '')
    if not any(patch.hunks for patch in files):
        raise _Refused('no hunks found in the diff')
    test = state.test
    overlay = dict(state.overlay)
    done = []
    for patch in files:
        if not patch.hunks:
            continue
        path = patch.path
        if path is None:
            path = 'test' if change.kind == model.TEST_DIFF else (
                change.target or 'test')
        if patch.deleted:
            raise _Refused('the diff deletes %s' % path)
        if _is_test_path(path):
            test, how = _apply_hunks(test, patch.hunks, 'the test')
            done.append('the test (%s)' % how)
            continue
        rel = _nova_relpath(path)
        if rel is None:
            raise _Refused('the diff patches %r, which is neither the test '
                           'nor a nova source file' % path)
        if patch.created:
            raise _Refused('the diff creates %s; only existing nova files '
                           'can be overlaid' % rel)
        if rel not in overlay:
            overlay[rel] = _read_nova(nova_reader, rel)
        overlay[rel], how = _apply_hunks(overlay[rel], patch.hunks, rel)
        done.append('%s (%s)' % (rel, how))
    reason = 'patched ' + '; '.join(done)
    if note:
        reason += '; ' + note
    return test, overlay, reason


def _read_nova(nova_reader, rel):
    """The installed source of nova file ``rel``, or _Refused."""
    try:
        original = nova_reader(rel)
    except Exception as exc:
        raise _Refused('cannot read %s: %s' % (rel, _short(exc, 80)))
    if not isinstance(original, str):
        raise _Refused('cannot read %s: reader returned %s'
                       % (rel, type(original).__name__))
    return original


def _is_code_line(line):
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith('#')


def _ws_key(line):
    return ' '.join(line.split())


# (name, significant(line), key(line)); see the module docstring.
_LADDER = (
    ('exact', lambda line: True, lambda line: line),
    ('trailing whitespace ignored', lambda line: True,
     lambda line: line.rstrip()),
    ('indentation ignored', lambda line: True, _ws_key),
    ('comments and blank lines ignored', _is_code_line, _ws_key),
)


def _apply_hunks(text, hunks, what):
    ends_with_newline = text.endswith('\n')
    lines = text.split('\n')
    if ends_with_newline:
        lines.pop()
    hows = []
    floor = 0
    for number, body in enumerate(hunks, 1):
        try:
            lines, floor, how = _apply_hunk(lines, body, floor)
        except _Refused as exc:
            raise _Refused('hunk %d of %d for %s: %s'
                           % (number, len(hunks), what, exc))
        hows.append(how)
    result = '\n'.join(lines) + ('\n' if ends_with_newline else '')
    counts = {}
    for how in hows:
        counts[how] = counts.get(how, 0) + 1
    summary = ', '.join('%d hunk(s) %s' % (n, how)
                        for how, n in counts.items())
    return result, summary


def _indent_width(line):
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _apply_hunk(lines, body, floor):
    old = [(index, text) for index, (tag, text) in enumerate(body)
           if tag in (' ', '-')]
    if not any(tag in ('-', '+') for tag, _text in body):
        return lines, floor, 'context only, nothing to do'
    for name, significant, key in _LADDER:
        wanted = [(index, key(text)) for index, text in old
                  if significant(text)]
        if not wanted:
            if name == _LADDER[-1][0]:
                raise _Refused('has no context or removed lines to anchor '
                               'it')
            continue
        positions = [i for i, line in enumerate(lines) if significant(line)]
        keys = [key(lines[i]) for i in positions]
        wanted_keys = [k for _i, k in wanted]
        size = len(wanted_keys)
        found = [m for m in range(len(keys) - size + 1)
                 if keys[m:m + size] == wanted_keys]
        if not found:
            continue
        if len(found) > 1:
            later = [m for m in found if positions[m] >= floor]
            if floor and len(later) == 1:
                found = later
            else:
                raise _Refused(
                    'context is ambiguous (%s): it matches at lines %s'
                    % (name, ', '.join(str(positions[m] + 1)
                                       for m in found[:5])))
        start = found[0]
        mapping = {index: positions[start + k]
                   for k, (index, _key) in enumerate(wanted)}
        return _splice(lines, body, mapping, name)
    # The context is from another version of the test (upstream's 2019
    # recreate version, upstream's current copy with comments ours does
    # not have, ...): only what the hunk changes must be found.
    if _already_applied(lines, body):
        return lines, floor, 'already applied (its removed lines are ' \
            'absent, its added lines present)'
    mapping = _align_changed(lines, body)
    if mapping is not None:
        return _splice(lines, body, mapping, 'applied by its changed '
                       'lines (the context differs)')
    mapping = _align_insertion(lines, body)
    if mapping is not None:
        return _splice(lines, body, mapping, 'added next to the context '
                       'line it follows (the rest of the context differs)')
    ported = _port_hunk(lines, body)
    if ported is not None:
        for align in (_align_changed, _align_insertion):
            mapping = align(lines, ported)
            if mapping is not None:
                return _splice(lines, ported, mapping, 'ported: only what '
                               'it changes that is not already so was '
                               'applied (written against another version)')
    raise _Refused('context not found in the file, and its removed lines '
                   'do not locate uniquely')


def _code_keys(body, tags):
    return [_ws_key(text) for tag, text in body
            if tag in tags and _is_code_line(text)]


def _already_applied(lines, body):
    """Removed code lines all absent and added ones present, in order."""
    added = _code_keys(body, '+')
    removed = [k for k in _code_keys(body, '-') if k not in set(added)]
    if not added or not removed:
        return False
    keys = [_ws_key(line) for line in lines if _is_code_line(line)]
    present = set(keys)
    if any(k in present for k in removed):
        return False
    position = 0
    for key in added:
        try:
            position = keys.index(key, position) + 1
        except ValueError:
            return False
    return True


def _align_changed(lines, body):
    """Map the hunk's code lines onto the file by the best alignment.

    Every removed code line must be aligned, either inside a run of two or
    more aligned lines or on a line that occurs once in the file; else
    None (the hunk is refused rather than guessed).
    """
    positions = [i for i, line in enumerate(lines) if _is_code_line(line)]
    file_keys = [_ws_key(lines[i]) for i in positions]
    old = [(index, _ws_key(text)) for index, (tag, text) in enumerate(body)
           if tag in (' ', '-') and _is_code_line(text)]
    removed = {index for index, (tag, text) in enumerate(body)
               if tag == '-' and _is_code_line(text)}
    if not removed:
        return None
    matcher = difflib.SequenceMatcher(None, [k for _i, k in old], file_keys,
                                      autojunk=False)
    mapping = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            index = old[a + k][0]
            if index in removed and size < 2 and \
                    file_keys.count(old[a + k][1]) != 1:
                return None
            mapping[index] = positions[b + k]
    if not removed <= set(mapping):
        return None
    return mapping


_ASSIGNED_NAME = re.compile(r'\s*([A-Za-z_]\w*)\s*=[^=]')


def _port_hunk(lines, body):
    """A hunk written against another version, reduced to its changes here.

    None when nothing is left or nothing was reduced.  Removed lines the
    file does not have are already gone; added lines the file has are
    already there (they become context); a removed assignment
    whose name the file still uses elsewhere stays (the review removed it
    with uses in its own version that this file does not have); removed
    comments go with the lines they describe.
    """
    keys = [_ws_key(line) for line in lines if _is_code_line(line)]
    present = set(keys)
    removed = {_ws_key(text) for tag, text in body
               if tag == '-' and _is_code_line(text)}
    ported = []
    changed = False
    for tag, text in body:
        code = _is_code_line(text)
        key = _ws_key(text)
        if tag == '-' and (not code or key not in present):
            changed = True
            continue
        if tag == '-':
            m = _ASSIGNED_NAME.match(text)
            if m and any(re.search(r'\b%s\b' % re.escape(m.group(1)), k)
                         for k in keys if k != key and k not in removed):
                ported.append((' ', text))
                changed = True
                continue
        if tag == '+' and code and key in present:
            ported.append((' ', text))
            changed = True
            continue
        ported.append((tag, text))
    if not changed or not any(tag in '+-' and _is_code_line(text)
                              for tag, text in ported if tag != ' '):
        return None
    return ported


def _align_insertion(lines, body):
    """Anchor a hunk that only adds lines by its nearest context line.

    For each run of added lines, the nearest code context line before it
    (else after it) that occurs exactly once in the file is the anchor;
    the anchors must keep their order.  None when a hunk removes code or
    a run has no such anchor.
    """
    if any(tag == '-' and _is_code_line(text) for tag, text in body):
        return None
    keys = [_ws_key(line) if _is_code_line(line) else None
            for line in lines]

    def unique(index):
        key = _ws_key(body[index][1])
        return keys.index(key) if keys.count(key) == 1 else None

    context = [i for i, (tag, text) in enumerate(body)
               if tag == ' ' and _is_code_line(text)]
    mapping = {}
    i = 0
    while i < len(body):
        if body[i][0] != '+':
            i += 1
            continue
        end = i
        while end < len(body) and body[end][0] == '+':
            end += 1
        before = [c for c in reversed(context) if c < i]
        after = [c for c in context if c >= end]
        anchor = next((c for c in before[:1] if unique(c) is not None),
                      None)
        if anchor is None:
            anchor = next((c for c in after[:1] if unique(c) is not None),
                          None)
        if anchor is None:
            return None
        mapping[anchor] = unique(anchor)
        i = end
    ordered = [mapping[k] for k in sorted(mapping)]
    if not mapping or ordered != sorted(ordered):
        return None
    return mapping


def _splice(lines, body, mapping, how):
    """Rebuild ``lines`` with ``body`` applied at the mapped lines."""
    first = min(mapping.values())
    last = max(mapping.values())
    delta = 0
    for index, line_no in sorted(mapping.items()):
        if body[index][1].strip() and lines[line_no].strip():
            delta = (_indent_width(lines[line_no])
                     - _indent_width(body[index][1]))
            break
    out = []
    cursor = first
    for index, (tag, text) in enumerate(body):
        if index in mapping:
            target = mapping[index]
            out.extend(lines[cursor:target])
            if tag == ' ':
                out.append(lines[target])
            cursor = target + 1
        elif tag == '+':
            out.append(_reindent(text, delta))
    out.extend(lines[cursor:last + 1])
    new_lines = lines[:first] + out + lines[last + 1:]
    return new_lines, first + len(out), how


def _reindent(text, delta):
    if not text.strip() or delta == 0:
        return text
    if delta > 0:
        return ' ' * delta + text
    width = _indent_width(text)
    return text.expandtabs(8)[min(-delta, width):]


# --------------------------------------------------------------------------
# Snippets


_ELISION = re.compile(
    r'^\s*#\s*(?:(?:\.\.\.|\u2026)\s*$'
    r'|.*\b(?:unchanged|omitted|as before|same as (?:before|above)'
    r'|existing code|rest of (?:the )?(?:code|test|method|function|file|'
    r'class)|remains? the same|snip)\b)', re.I)


def _snippet_text(code):
    """Dedent a snippet until it parses; returns the text."""
    text = code.replace('\r\n', '\n').replace('\r', '\n')
    lines = text.split('\n')
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise _Refused('the snippet is empty')
    text = '\n'.join(lines) + '\n'
    attempts = [textwrap.dedent(text)]
    rest = textwrap.dedent('\n'.join(lines[1:]))
    first = lines[0].strip()
    attempts.append(first + '\n' + rest + '\n')
    if first.endswith(':'):
        attempts.append(first + '\n' + textwrap.indent(rest, _TEMP_INDENT)
                        + '\n')
    error = None
    for attempt in attempts:
        try:
            _cst_parse(attempt)
            return attempt
        except cst.ParserSyntaxError as exc:
            error = error or str(exc).splitlines()[0]
        except (SyntaxError, ValueError) as exc:
            error = error or str(exc)
    raise _Refused('the snippet does not parse: %s' % _short(error, 160))


def _statements_at(text, indent):
    """Parse snippet ``text`` as statements to sit at ``indent``.

    Re-indenting before parsing keeps continuation lines inside brackets
    aligned with where the statements will live.
    """
    if not indent:
        module = _cst_parse(text)
        body = list(module.body)
        comments = [line for line in module.header if line.comment]
        if body and comments:
            body[0] = body[0].with_changes(
                leading_lines=comments + list(body[0].leading_lines))
        return body
    wrapped = 'if True:\n' + textwrap.indent(text, indent)
    module = _cst_parse(wrapped)
    return list(module.body[0].body.body)


def _has_comment(node):
    return any(line.comment for line in getattr(node, 'leading_lines', ()))


class _Layout(cst.CSTVisitor):
    """Collects every statement block with its absolute indentation."""

    def __init__(self, module):
        super().__init__()
        self.default = module.default_indent
        self.stack = []
        self.blocks = []     # (block node, absolute indent)

    def visit_Module(self, node):
        self.blocks.append((node, ''))

    def visit_IndentedBlock(self, node):
        indent = node.indent if node.indent is not None else self.default
        self.stack.append(indent)
        self.blocks.append((node, ''.join(self.stack)))

    def leave_IndentedBlock(self, original_node):
        self.stack.pop()


@dataclasses.dataclass
class _Stmt:
    block: int
    index: int
    node: typing.Any
    line: int
    dump: typing.Optional[str]
    shape: typing.Any
    loose: typing.Any


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


def _keys(statements):
    """(shape, loose) keys of one statement, as parsed by ``ast``."""
    if len(statements) != 1:
        return None, None
    stmt = statements[0]
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call):
            shape = _value_shape(value)
            return shape, shape[:2]
        return None, None
    if isinstance(stmt, ast.Assign):
        targets = tuple(ast.dump(t) for t in stmt.targets)
        return (('assign', targets, _value_shape(stmt.value)),
                ('assign', targets))
    if isinstance(stmt, ast.AnnAssign):
        target = (ast.dump(stmt.target),)
        value = _value_shape(stmt.value) if stmt.value else None
        return ('assign', target, value), ('assign', target)
    if isinstance(stmt, ast.AugAssign):
        target = ast.dump(stmt.target)
        return (('augassign', target, type(stmt.op).__name__,
                 _value_shape(stmt.value)), ('augassign', target))
    if isinstance(stmt, ast.Return):
        value = _value_shape(stmt.value) if stmt.value else None
        return ('return', value), ('return',)
    if isinstance(stmt, ast.Assert):
        return ('assert', _value_shape(stmt.test)), None
    if isinstance(stmt, ast.Raise):
        value = _value_shape(stmt.exc) if stmt.exc else None
        return ('raise', value), ('raise',)
    if isinstance(stmt, ast.Delete):
        return ('del', tuple(ast.dump(t) for t in stmt.targets)), None
    if isinstance(stmt, (ast.If, ast.While)):
        return ((type(stmt).__name__, ast.dump(stmt.test)),
                (type(stmt).__name__, _value_shape(stmt.test)))
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return (('for', ast.dump(stmt.target), ast.dump(stmt.iter)),
                ('for', ast.dump(stmt.target)))
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return (('with', tuple(ast.dump(i.context_expr)
                               for i in stmt.items)),
                ('with', tuple(_value_shape(i.context_expr)
                               for i in stmt.items)))
    if isinstance(stmt, ast.Try) and stmt.body:
        inner, _loose = _keys(stmt.body[:1])
        return (('try', inner), None) if inner else (None, None)
    return None, None


def _describe(module_or_code, node):
    code = module_or_code.code_for_node(node) if node is not None else ''
    lines = [line.strip() for line in code.split('\n')
             if line.strip() and not line.strip().startswith('#')]
    return _short(lines[0] if lines else code, 70)


def _stmt_ast(code):
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    _drop_docstrings(tree)
    return tree.body


def _analyse(source_module, node):
    parsed = _stmt_ast(source_module.code_for_node(node))
    if parsed is None:
        return None, None, None
    shape, loose = _keys(parsed)
    return ast.dump(ast.Module(body=parsed, type_ignores=[])), shape, loose


def _grade(snip, stmt):
    if snip.dump is not None and snip.dump == stmt.dump:
        return 3
    if snip.shape is not None and snip.shape == stmt.shape:
        return 2
    if snip.loose is not None and snip.loose == stmt.loose:
        return 1
    return 0


_GRADE_NAMES = {3: 'identical', 2: 'same shape', 1: 'same target'}
_TOKENS = re.compile(r"(?:id|attr|arg)='(\w+)'|value=('[^']*'|\d+)")


def _tokens(stmt):
    return {a or b for a, b in _TOKENS.findall(stmt.dump or '')}


def _closest(snip, tops):
    """Among equally graded statements, the one sharing the most names.

    ``self.assertEqual(source_rp_usages, no_usage)`` has the shape of every
    two-argument assertEqual of the test, but its names single out
    ``self.assertEqual(no_usage, source_rp_usages)``.  Returns ``tops``
    unchanged when no single statement is closest.
    """
    wanted = _tokens(snip)
    scored = []
    for stmt in tops:
        have = _tokens(stmt)
        union = wanted | have
        scored.append((len(wanted & have) / len(union) if union else 0.0,
                       stmt))
    scored.sort(key=lambda pair: -pair[0])
    if scored and scored[0][0] > 0.5 and (
            len(scored) == 1 or scored[0][0] > scored[1][0]):
        return [scored[0][1]]
    return tops


class _Index:
    """Statements of a module, their blocks and lines."""

    def __init__(self, module):
        self.module = module
        wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(cst_metadata.PositionProvider)
        layout = _Layout(module)
        module.visit(layout)
        self.blocks = layout.blocks
        self.stmts = []
        self.by_block = []
        for number, (block, _indent) in enumerate(self.blocks):
            entries = []
            for index, node in enumerate(block.body):
                if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                    entries.append(None)
                    continue
                dump, shape, loose = _analyse(module, node)
                line = positions[node].start.line if node in positions else 0
                stmt = _Stmt(number, index, node, line, dump, shape, loose)
                entries.append(stmt)
                self.stmts.append(stmt)
            self.by_block.append(entries)
        self.positions = positions

    def line_of(self, node):
        pos = self.positions.get(node)
        return pos.start.line if pos else 0


def _apply_snippet(source, code, partial=False):
    text = _snippet_text(code)
    _check_elision(text, source)
    module = _cst_parse(source)
    top = _statements_at(text, '')
    if not top:
        raise _Refused('the snippet has no statements')
    # Split into runs: defs/classes, imports, plain statements.
    runs = []
    for node in top:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            runs.append(('def', [node]))
        elif _is_import(node):
            runs.append(('import', [node]))
        elif runs and runs[-1][0] == 'stmts':
            runs[-1][1].append(node)
        else:
            runs.append(('stmts', [node]))
    reasons = []
    for kind, nodes in runs:
        if kind == 'def':
            module, reason = _apply_def(module, nodes[0])
        elif kind == 'import':
            module, reason = _apply_import(module, nodes[0])
        else:
            piece = ''.join(_code(n) for n in nodes)
            module, reason = _apply_statements(module, piece, None,
                                               keep_unmatched=partial)
        reasons.append(reason)
    return module.code, '; '.join(reasons)


def _code(node):
    """Source of a statement with its own comments, at column 0."""
    return cst.Module(body=[]).code_for_node(node)


def _check_elision(text, source):
    for line in text.split('\n'):
        if _ELISION.match(line) and line.strip() not in source:
            raise _Refused('the snippet elides code (%r); it cannot replace '
                           'what it does not show' % _short(line.strip(), 60))
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and node.value.value is Ellipsis):
            if not re.search(r'^\s*\.\.\.\s*$', source, re.M):
                raise _Refused("the snippet elides code with '...'; it "
                               "cannot replace what it does not show")


def _is_import(node):
    return (isinstance(node, cst.SimpleStatementLine)
            and len(node.body) == 1
            and isinstance(node.body[0], (cst.Import, cst.ImportFrom)))


def _apply_import(module, node):
    wanted = _ws_key(cst.Module(body=[]).code_for_node(
        node.with_changes(leading_lines=[])))
    last = None
    for stmt in module.body:
        if _is_import(stmt):
            last = stmt
            have = _ws_key(module.code_for_node(
                stmt.with_changes(leading_lines=[])))
            if have == wanted:
                return module, 'import already present: %s' % wanted
    new = node.with_changes(leading_lines=[])
    body = list(module.body)
    if last is None:
        at = 0
        if body and _is_docstring(body[0]):
            at = 1
        if at:
            new = new.with_changes(leading_lines=[_BLANK])
    else:
        at = body.index(last) + 1
    body.insert(at, new)
    return module.with_changes(body=body), 'added import: %s' % wanted


def _is_docstring(node):
    return (isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1
            and isinstance(node.body[0], cst.Expr)
            and isinstance(node.body[0].value,
                           (cst.SimpleString, cst.ConcatenatedString)))


def _test_class(module):
    classes = [s for s in module.body if isinstance(s, cst.ClassDef)]
    for cls in classes:
        if cls.name.value == CANONICAL_CLASS:
            return cls
    if len(classes) == 1:
        return classes[0]
    for cls in classes:
        for stmt in cls.body.body:
            if (isinstance(stmt, cst.FunctionDef)
                    and stmt.name.value.startswith('test')):
                return cls
    return classes[0] if classes else None


def _members(cls, kind):
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    return [s for s in body if isinstance(s, kind)]


def _is_method_like(func):
    params = list(func.params.posonly_params) + list(func.params.params)
    if params and params[0].name.value in ('self', 'cls'):
        return True
    for deco in func.decorators:
        name = deco.decorator
        if isinstance(name, cst.Name) and name.value in (
                'staticmethod', 'classmethod'):
            return True
    return False


def _keep_leading(new, old):
    """Give ``new`` the blank lines/comments of ``old`` unless it has own.

    When ``new`` brings comments, it keeps them after ``old``'s leading
    blank lines.
    """
    if not _has_comment(new):
        return new.with_changes(leading_lines=old.leading_lines)
    blanks = []
    for line in old.leading_lines:
        if line.comment:
            break
        blanks.append(line)
    own = list(new.leading_lines)
    while own and not own[0].comment:
        own.pop(0)
    return new.with_changes(leading_lines=blanks + own)


def _keep_unchanged(old, new):
    """Keep ``old``'s statements (and their comments) that ``new`` repeats.

    Top-level statements of the two bodies are aligned; where a statement of
    ``new`` is identical (``ast``) to its partner in ``old``, ``old``'s node
    is kept so that untouched code keeps its exact form.
    """
    if not (isinstance(old, (cst.FunctionDef, cst.ClassDef))
            and isinstance(new, type(old))
            and isinstance(old.body, cst.IndentedBlock)
            and isinstance(new.body, cst.IndentedBlock)):
        return new
    blank = cst.Module(body=[])

    def stmts(nodes):
        out = []
        for number, node in enumerate(nodes):
            dump, shape, loose = _analyse(blank, node)
            out.append(_Stmt(-1, number, node, 0, dump, shape, loose))
        return out

    olds = stmts(old.body.body)
    news = stmts(new.body.body)
    body = list(new.body.body)
    for j, (p, grade) in _align(news, olds, 0, 0).items():
        if grade == 3:
            body[j] = olds[p].node
    return new.with_changes(body=new.body.with_changes(body=body))


def _def_names(node):
    return {s.name.value for s in _members(node, cst.FunctionDef)}


def _apply_def(module, node):
    name = node.name.value
    what = 'class' if isinstance(node, cst.ClassDef) else 'def'
    kind = type(node)
    test_cls = _test_class(module)
    top_matches = [s for s in module.body
                   if isinstance(s, kind) and s.name.value == name]
    in_class = []
    if test_cls is not None:
        in_class = [s for s in _members(test_cls, kind)
                    if s.name.value == name]
    if len(top_matches) + len(in_class) > 1:
        raise _Refused('%s %s is defined more than once; cannot tell which '
                       'to replace' % (what, name))
    if top_matches or in_class:
        old = (top_matches or in_class)[0]
        label = name if top_matches else '%s.%s' % (test_cls.name.value,
                                                    name)
        line = _lines_of(module, [old])[0]
        if normalize(_code(node)) == normalize(_code(old)):
            return module, '%s %s (line %d) is identical (no change)' % (
                what, label, line)
        if (top_matches and isinstance(node, cst.ClassDef)
                and not _def_names(old) <= _def_names(node)):
            return _merge_class(module, old, node)
        indent = '' if top_matches else _block_indent(module, test_cls.body)
        new = _statements_at(_code(node), indent)[0]
        new = _keep_unchanged(old, _keep_leading(new, old))
        return (module.deep_replace(old, new),
                'replaced %s %s (line %d)' % (what, label, line))
    # Not there yet: add it.
    if (test_cls is not None and isinstance(node, cst.FunctionDef)
            and _is_method_like(node)):
        indent = _block_indent(module, test_cls.body)
        new = _statements_at(_code(node),
                             indent)[0]
        new = new.with_changes(leading_lines=[_BLANK] + [
            line for line in new.leading_lines if line.comment])
        body = list(test_cls.body.body) + [new]
        new_cls = test_cls.with_changes(
            body=test_cls.body.with_changes(body=body))
        return (module.deep_replace(test_cls, new_cls),
                'added method %s to %s' % (name, test_cls.name.value))
    new = _statements_at(_code(node), '')[0]
    new = new.with_changes(leading_lines=[_BLANK, _BLANK]
                           + [line for line in new.leading_lines
                              if line.comment])
    return (module.with_changes(body=list(module.body) + [new]),
            'added %s %s at module level' % (what, name))


def _merge_class(module, old, node):
    """Apply a partial class member by member; keeps the class header."""
    reasons = []
    cls_name = old.name.value
    for member in _members(node, cst.BaseStatement):
        current = [s for s in module.body
                   if isinstance(s, cst.ClassDef) and s.name.value == cls_name]
        cls = current[0]
        if isinstance(member, cst.FunctionDef):
            module, reason = _apply_member_def(module, cls, member)
        elif _is_docstring(member):
            reason = 'kept the docstring of %s' % cls_name
        else:
            piece = _code(member)
            module, reason = _apply_statements(module, piece, cls.body)
        reasons.append(reason)
    missing = sorted(_def_names(old) - _def_names(node))
    reasons.append('kept the header of class %s and its methods the snippet '
                   'does not show (%s)' % (cls_name, ', '.join(missing)))
    return module, '; '.join(reasons)


def _apply_member_def(module, cls, member):
    name = member.name.value
    indent = _block_indent(module, cls.body)
    new = _statements_at(_code(member),
                         indent)[0]
    olds = [s for s in _members(cls, cst.FunctionDef) if s.name.value == name]
    if len(olds) > 1:
        raise _Refused('method %s is defined more than once in %s'
                       % (name, cls.name.value))
    if olds:
        return (module.deep_replace(olds[0], _keep_leading(new, olds[0])),
                'replaced method %s.%s' % (cls.name.value, name))
    new = new.with_changes(leading_lines=[_BLANK] + [
        line for line in new.leading_lines if line.comment])
    body = list(cls.body.body) + [new]
    return (module.deep_replace(cls, cls.with_changes(
        body=cls.body.with_changes(body=body))),
        'added method %s to %s' % (name, cls.name.value))


def _block_indent(module, block):
    layout = _Layout(module)
    module.visit(layout)
    for node, indent in layout.blocks:
        if node is block:
            return indent
    raise _Refused('internal: block not found')


def _apply_statements(module, piece, only_block, keep_unmatched=False):
    """Replace the best unique region of a block with ``piece``.

    With ``keep_unmatched`` the region's statements that no statement of
    ``piece`` corresponds to stay, in order, instead of going.
    """
    index = _Index(module)
    snippet_module = _cst_parse(piece)
    snips = []
    for node in _statements_at(piece, ''):
        dump, shape, loose = _analyse(snippet_module, node)
        snips.append(_Stmt(-1, len(snips), node, 0, dump, shape, loose))
    allowed = None
    if only_block is not None:
        allowed = {n for n, (b, _i) in enumerate(index.blocks)
                   if b is only_block}
    candidates = [s for s in index.stmts
                  if allowed is None or s.block in allowed]

    # Rung 1: the whole snippet is already there.
    same = _verbatim(index, snips, allowed)
    if same:
        return module, ('statements identical to the test at line(s) %s '
                        '(no change)' % ', '.join(str(x) for x in same))

    # Rung 2: anchors.
    anchors = []
    ambiguous = []
    for j, snip in enumerate(snips):
        graded = [(_grade(snip, s), s) for s in candidates]
        best = max([g for g, _s in graded] + [0])
        if best == 0:
            continue
        tops = [s for g, s in graded if g == best]
        if len(tops) > 1:
            tops = _closest(snip, tops)
        if len(tops) == 1:
            anchors.append((best, j, tops[0]))
        else:
            ambiguous.append((best, j, tops))
    if not anchors:
        if ambiguous:
            best, j, tops = max(ambiguous, key=lambda a: a[0])
            raise _Refused(
                'ambiguous: `%s` matches lines %s equally (%s)'
                % (_describe(snippet_module, snips[j].node),
                   ', '.join(str(s.line) for s in tops[:6]),
                   _GRADE_NAMES[best]))
        raise _Refused('no anchor: no statement of the snippet (`%s`...) '
                       'has a counterpart in the test'
                       % _describe(snippet_module, snips[0].node))
    accepted = []
    for grade, j, stmt in sorted(anchors, key=lambda a: (-a[0], a[1])):
        conflict = None
        for _g, j2, s2 in accepted:
            if (s2.block != stmt.block or s2.index == stmt.index
                    or (j < j2) != (stmt.index < s2.index)):
                conflict = s2
                break
        if conflict is None:
            accepted.append((grade, j, stmt))
        elif grade == 3 and any(g == 3 for g, _j, _s in accepted):
            raise _Refused(
                'the snippet\'s statements are found apart in the test '
                '(lines %d and %d); cannot tell where it belongs'
                % (conflict.line, stmt.line))
    accepted.sort(key=lambda a: a[1])
    block_no = accepted[0][2].block
    entries = index.by_block[block_no]
    pairs = {j: (stmt.index, grade) for grade, j, stmt in accepted}
    # Extend outwards while neighbours correspond.
    j, p = accepted[0][1] - 1, accepted[0][2].index - 1
    while j >= 0 and p >= 0 and entries[p] is not None:
        g = _grade(snips[j], entries[p])
        if g == 0:
            break
        pairs[j] = (p, g)
        j, p = j - 1, p - 1
    j, p = accepted[-1][1] + 1, accepted[-1][2].index + 1
    while j < len(snips) and p < len(entries) and entries[p] is not None:
        g = _grade(snips[j], entries[p])
        if g == 0:
            break
        pairs[j] = (p, g)
        j, p = j + 1, p + 1
    # Pair up what lies between consecutive anchors.
    ordered = sorted(pairs.items())
    for (j1, (p1, _g1)), (j2, (p2, _g2)) in zip(ordered, ordered[1:]):
        for j, (p, g) in _align(snips[j1 + 1:j2], entries[p1 + 1:p2],
                                j1 + 1, p1 + 1).items():
            pairs[j] = (p, g)
    lo = min(p for p, _g in pairs.values())
    hi = max(p for p, _g in pairs.values())
    block, indent = index.blocks[block_no]
    placed = _statements_at(piece, indent)
    new_nodes = []
    for j, node in enumerate(placed):
        if j in pairs:
            p, g = pairs[j]
            old = block.body[p]
            new_nodes.append(old if g == 3 else _keep_leading(node, old))
        else:
            new_nodes.append(node)
    paired = {p for p, _g in pairs.values()}
    for p in range(lo, hi + 1):
        if p not in paired and entries[p] is None:
            raise _Refused('the snippet would replace the region of lines '
                           '%d-%d, which holds def %s; refusing'
                           % (entries[lo].line, entries[hi].line,
                              block.body[p].name.value))
    removed = [entries[p].line if entries[p] else index.line_of(block.body[p])
               for p in range(lo, hi + 1) if p not in paired]
    if keep_unmatched and removed:
        new_nodes = _interleave(new_nodes, pairs, block.body, lo, hi)
        removed = []
    body = list(block.body[:lo]) + new_nodes + list(block.body[hi + 1:])
    if isinstance(block, cst.Module):
        module = module.with_changes(body=body)
    else:
        module = module.deep_replace(block, block.with_changes(body=body))
    first, last = entries[lo], entries[hi]
    anchor_grade, anchor_j, anchor = accepted[0]
    reason = ('replaced line(s) %d-%d, anchored on `%s` at line %d (%s)'
              % (first.line, _last_line(index, last.node), _describe(
                  index.module, anchor.node), anchor.line,
                 _GRADE_NAMES[anchor_grade]))
    inserted = len(snips) - len(pairs)
    if inserted:
        reason += '; inserted %d new statement(s)' % inserted
    if removed:
        reason += '; removed statement(s) at line(s) %s' % ', '.join(
            str(x) for x in removed)
    return module, reason


def _interleave(new_nodes, pairs, body, lo, hi):
    """``new_nodes`` with the unpaired statements of the region kept.

    Each unpaired statement of ``body[lo:hi+1]`` goes just before the
    first new node paired with a statement after it.
    """
    paired = {p for p, _g in pairs.values()}
    kept = [p for p in range(lo, hi + 1) if p not in paired]
    out = []
    for j, node in enumerate(new_nodes):
        if j in pairs:
            p = pairs[j][0]
            while kept and kept[0] < p:
                out.append(body[kept.pop(0)])
        out.append(node)
    out.extend(body[p] for p in kept)
    return out


def _last_line(index, node):
    pos = index.positions.get(node)
    return pos.end.line if pos else 0


def _verbatim(index, snips, allowed):
    """First lines of the places where ``snips`` occur verbatim."""
    return [index.by_block[number][start].line
            for number, start in _windows(index, snips, allowed)]


def _windows(index, snips, allowed=None):
    """(block, start) of each place where ``snips`` occur verbatim."""
    size = len(snips)
    if not size or any(s.dump is None for s in snips):
        return []
    found = []
    for number, entries in enumerate(index.by_block):
        if allowed is not None and number not in allowed:
            continue
        for start in range(len(entries) - size + 1):
            window = entries[start:start + size]
            if all(e is not None and e.dump == s.dump
                   for e, s in zip(window, snips)):
                found.append((number, start))
    return found


def _remove_statement(source, old):
    """Remove the statement(s) ``old`` where they occur verbatim, once."""
    text = _snippet_text(old)
    module = _cst_parse(source)
    index = _Index(module)
    snippet_module = _cst_parse(text)
    snips = []
    for node in snippet_module.body:
        dump, shape, loose = _analyse(snippet_module, node)
        snips.append(_Stmt(-1, len(snips), node, 0, dump, shape, loose))
    found = _windows(index, snips)
    what = _describe(snippet_module, snips[0].node) if snips else old
    if not found:
        raise _Refused('statement `%s` is not in the test' % what)
    if len(found) > 1:
        raise _Refused('statement `%s` occurs %d times (lines %s); cannot '
                       'tell which to remove' % (what, len(found), ', '.join(
                           str(index.by_block[b][i].line)
                           for b, i in found)))
    number, start = found[0]
    block = index.blocks[number][0]
    entries = index.by_block[number]
    first = entries[start].line
    last = _last_line(index, entries[start + len(snips) - 1].node)
    body = (list(block.body[:start])
            + list(block.body[start + len(snips):]))
    if isinstance(block, cst.Module):
        module = module.with_changes(body=body)
    else:
        module = module.deep_replace(block, block.with_changes(body=body))
    module = module.visit(_FillEmpty())
    return module.code, 'removed statement `%s` (lines %d-%d)' % (
        what, first, last)


def _align(snips, entries, j0, p0):
    """Weighted LCS of two short statement lists; returns {j: (p, g)}."""
    n, m = len(snips), len(entries)
    if not n or not m:
        return {}
    score = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            g = _grade(snips[a], entries[b]) if entries[b] else 0
            best = max(score[a + 1][b], score[a][b + 1])
            if g:
                best = max(best, g + score[a + 1][b + 1])
            score[a][b] = best
    out = {}
    a = b = 0
    while a < n and b < m:
        g = _grade(snips[a], entries[b]) if entries[b] else 0
        if g and score[a][b] == g + score[a + 1][b + 1]:
            out[j0 + a] = (p0 + b, g)
            a, b = a + 1, b + 1
        elif score[a + 1][b] >= score[a][b + 1]:
            a += 1
        else:
            b += 1
    return out


# --------------------------------------------------------------------------
# RENAME


def _local_defs(module):
    """{function name: set of its parameter names} for defs in the file."""
    out = {}

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            params = node.params
            names = {p.name.value for p in (list(params.posonly_params)
                                            + list(params.params)
                                            + list(params.kwonly_params))}
            out.setdefault(node.name.value, set()).update(names)

    module.visit(Visitor())
    return out


def _call_target(func):
    if isinstance(func, cst.Name):
        return func.value
    if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            and func.value.value in ('self', 'cls')):
        return func.attr.value
    return None


class _Renamer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst_metadata.PositionProvider,)

    def __init__(self, old, new, owners, defs):
        super().__init__()
        self.old = old
        self.new = new
        self.owners = owners           # names whose attributes we rename
        self.defs = defs
        self.skip = set()
        self.lines = []

    def _skip_all(self, node):
        skip = self.skip

        class Marker(cst.CSTVisitor):
            def visit_Name(self, name):
                skip.add(id(name))

        node.visit(Marker())

    def visit_Attribute(self, node):
        if not (isinstance(node.value, cst.Name)
                and node.value.value in self.owners):
            self.skip.add(id(node.attr))

    def visit_Call(self, node):
        target = _call_target(node.func)
        rename_kw = target in self.defs and self.old in self.defs[target]
        for arg in node.args:
            if arg.keyword is not None and not rename_kw:
                self.skip.add(id(arg.keyword))

    def visit_ClassDef(self, node):
        for arg in node.keywords:
            if arg.keyword is not None:
                self.skip.add(id(arg.keyword))

    def visit_Import(self, node):
        for alias in node.names:
            self._skip_all(alias.name)
            if alias.asname is not None:
                self._skip_all(alias.asname)

    def visit_ImportFrom(self, node):
        if node.module is not None:
            self._skip_all(node.module)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._skip_all(alias.name)
                if alias.asname is not None:
                    self._skip_all(alias.asname)

    def leave_ImportAlias(self, original_node, updated_node):
        alias = updated_node
        if alias.asname is not None:
            target = alias.asname.name
            if isinstance(target, cst.Name) and target.value == self.old:
                self._record(original_node)
                return alias.with_changes(asname=alias.asname.with_changes(
                    name=cst.Name(self.new)))
            return alias
        if isinstance(alias.name, cst.Name) and alias.name.value == self.old:
            self._record(original_node)
            return alias.with_changes(asname=cst.AsName(
                name=cst.Name(self.new)))
        return alias

    def _record(self, node):
        try:
            pos = self.get_metadata(cst_metadata.PositionProvider, node)
            self.lines.append(pos.start.line)
        except KeyError:
            self.lines.append(0)

    def leave_Name(self, original_node, updated_node):
        if id(original_node) in self.skip or original_node.value != self.old:
            return updated_node
        self._record(original_node)
        return updated_node.with_changes(value=self.new)


def _apply_rename(source, old, new):
    old = _identifier(old, 'old name')
    new = _identifier(new, 'new name')
    if old == new:
        raise _Refused('old and new names are the same (%s)' % old)
    module = _cst_parse(source)
    owners = {'self', 'cls'} | {
        node.name.value for node in _walk_classes(module)}
    defs = _local_defs(module)
    clash = _occurrences(module, new, owners)
    renamer = _Renamer(old, new, owners, defs)
    wrapper = cst_metadata.MetadataWrapper(module)
    result = wrapper.visit(renamer)
    if not renamer.lines:
        raise _Refused('`%s` does not occur in the test' % old)
    lines = sorted(set(renamer.lines))
    reason = 'renamed %d occurrence(s) of %s to %s (lines %s)' % (
        len(renamer.lines), old, new, ', '.join(str(x) for x in lines))
    if not _binds(module, old):
        reason += '; note: %s is not defined in this file' % old
    if clash:
        reason += '; note: %s was already used at line(s) %s' % (
            new, ', '.join(str(x) for x in clash))
    return result.code, reason


def _walk_classes(module):
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_ClassDef(self, node):
            found.append(node)

    module.visit(Visitor())
    return found


def _occurrences(module, name, owners):
    """Lines where ``name`` occurs as a name or as ``self.name``."""
    lines = []
    wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst_metadata.PositionProvider)
    skip = set()

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, node):
            if not (isinstance(node.value, cst.Name)
                    and node.value.value in owners):
                skip.add(id(node.attr))

        def visit_Arg(self, node):
            if node.keyword is not None:
                skip.add(id(node.keyword))

        def visit_ImportFrom(self, node):
            if node.module is not None:
                node.module.visit(Marker())

        def visit_Name(self, node):
            if node.value == name and id(node) not in skip:
                pos = positions.get(node)
                lines.append(pos.start.line if pos else 0)

    class Marker(cst.CSTVisitor):
        def visit_Name(self, node):
            skip.add(id(node))

    module.visit(Visitor())
    return sorted(set(lines))


def _binds(module, name):
    """Whether the file defines, assigns, imports or takes ``name``."""
    try:
        tree = ast.parse(module.code)
    except (SyntaxError, ValueError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if (isinstance(node, ast.Name) and node.id == name
                and isinstance(node.ctx, ast.Store)):
            return True
        if (isinstance(node, ast.Attribute) and node.attr == name
                and isinstance(node.ctx, ast.Store)):
            return True
        if isinstance(node, ast.alias) and (
                node.asname or node.name.split('.')[0]) == name:
            return True
    return False


# --------------------------------------------------------------------------
# REMOVE


_REMOVE_HINTS = (
    ('param', ('param', 'argument', 'arg ')),
    ('def', ('method', 'function', 'def ', 'helper', 'class')),
    ('assign', ('variable', 'attribute', 'assign', 'constant', 'field')),
    ('import', ('import',)),
)


def _apply_remove(source, old, summary):
    name = _identifier(old, 'name')
    module = _cst_parse(source)
    found = _removables(module, name)
    order = ['def', 'param', 'assign', 'import']
    hint = (summary or '').lower()
    for kind, words in _REMOVE_HINTS:
        if any(word in hint for word in words) and found[kind]:
            order.remove(kind)
            order.insert(0, kind)
            break
    for kind in order:
        if found[kind]:
            break
    else:
        raise _Refused('no def, parameter, assignment or import named `%s` '
                       'in the test' % name)
    scope = None
    if kind == 'def':
        new, reason = _remove_defs(module, name, found['def'])
    elif kind == 'param':
        new, reason = _remove_param(module, name, found['param'])
        scope = found['param'][0].name.value
    elif kind == 'assign':
        new, reason = _remove_assigns(module, name, found['assign'])
    else:
        new, reason = _remove_imports(module, name, found['import'])
    new = new.visit(_FillEmpty())
    refs = _references(new, name, kind, scope)
    if refs:
        reason += '; still referenced at lines %s' % ', '.join(
            str(x) for x in refs)
    return new.code, reason


def _removables(module, name):
    found = {'def': [], 'param': [], 'assign': [], 'import': []}

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            if node.name.value == name:
                found['def'].append(node)
            params = node.params
            for param in (list(params.posonly_params) + list(params.params)
                          + list(params.kwonly_params)):
                if param.name.value == name:
                    found['param'].append(node)

        def visit_ClassDef(self, node):
            if node.name.value == name:
                found['def'].append(node)

        def visit_SimpleStatementLine(self, node):
            if len(node.body) != 1:
                return
            small = node.body[0]
            if isinstance(small, cst.Assign):
                if (len(small.targets) == 1
                        and _is_target(small.targets[0].target, name)):
                    found['assign'].append(node)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                if _is_target(small.target, name):
                    found['assign'].append(node)
            elif isinstance(small, (cst.Import, cst.ImportFrom)):
                if isinstance(small.names, cst.ImportStar):
                    return
                for alias in small.names:
                    if _alias_binds(alias) == name:
                        found['import'].append(node)

    module.visit(Visitor())
    return found


def _is_target(target, name):
    if isinstance(target, cst.Name):
        return target.value == name
    return (isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ('self', 'cls')
            and target.attr.value == name)


def _alias_binds(alias):
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


class _FillEmpty(cst.CSTTransformer):
    """Put ``pass`` into blocks a removal emptied."""

    def leave_IndentedBlock(self, original_node, updated_node):
        if not updated_node.body:
            return updated_node.with_changes(
                body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated_node


class _Remover(cst.CSTTransformer):
    def __init__(self, targets, replace=None):
        super().__init__()
        self.targets = {id(t) for t in targets}
        self.replace = replace or {}

    def on_leave(self, original_node, updated_node):
        if id(original_node) in self.replace:
            return self.replace[id(original_node)]
        if id(original_node) in self.targets:
            return cst.RemovalSentinel.REMOVE
        return updated_node


def _lines_of(module, nodes):
    wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst_metadata.PositionProvider)
    return [positions[n].start.line if n in positions else 0 for n in nodes]


def _remove_defs(module, name, nodes):
    if len(nodes) > 1:
        raise _Refused('`%s` is defined %d times (lines %s); cannot tell '
                       'which to remove' % (name, len(nodes), ', '.join(
                           str(x) for x in _lines_of(module, nodes))))
    line = _lines_of(module, nodes)[0]
    what = 'class' if isinstance(nodes[0], cst.ClassDef) else 'def'
    new = module.visit(_Remover(nodes))
    return new, 'removed %s %s (line %d)' % (what, name, line)


def _remove_param(module, name, defs):
    if name in ('self', 'cls'):
        raise _Refused('refusing to remove `%s`' % name)
    if len(defs) > 1:
        raise _Refused('several functions take a parameter `%s` (lines %s); '
                       'cannot tell which' % (name, ', '.join(
                           str(x) for x in _lines_of(module, defs))))
    func = defs[0]
    func_line = _lines_of(module, [func])[0]
    params = func.params
    positional = list(params.posonly_params) + list(params.params)
    names = [p.name.value for p in positional]
    index = names.index(name) if name in names else None
    method = bool(names) and names[0] in ('self', 'cls') and not any(
        isinstance(d.decorator, cst.Name)
        and d.decorator.value == 'staticmethod' for d in func.decorators)
    call_index = None
    if index is not None:
        call_index = index - 1 if method else index

    def drop(seq):
        seq = [p for p in seq if p.name.value != name]
        return seq

    new_params = params.with_changes(
        posonly_params=drop(params.posonly_params),
        params=drop(params.params),
        kwonly_params=drop(params.kwonly_params))
    new_params = _fix_last_comma(new_params)
    new_func = func.with_changes(params=new_params)
    func_name = func.name.value
    adjuster = _CallAdjuster(func_name, method, call_index, name)
    wrapper = cst_metadata.MetadataWrapper(module.deep_replace(
        func, new_func))
    new = wrapper.visit(adjuster)
    reason = 'removed parameter %s of %s (line %d)' % (name, func_name,
                                                       func_line)
    if adjuster.adjusted:
        reason += '; dropped the argument at call site(s) line %s' % (
            ', '.join(str(x) for x in adjuster.adjusted))
    if adjuster.unadjusted:
        reason += '; could not adjust call(s) at line %s' % (
            ', '.join(str(x) for x in adjuster.unadjusted))
    return new, reason


def _fix_last_comma(params):
    """No dangling comma or bare ``*`` after removing the last parameter."""
    if params.star_kwarg is not None:
        return params
    if params.kwonly_params:
        field = 'kwonly_params'
    elif isinstance(params.star_arg, cst.ParamStar):
        params = params.with_changes(star_arg=cst.MaybeSentinel.DEFAULT)
        return _fix_last_comma(params)
    elif isinstance(params.star_arg, cst.Param):
        return params
    elif params.params:
        field = 'params'
    else:
        return params
    seq = list(getattr(params, field))
    seq[-1] = seq[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return params.with_changes(**{field: seq})


class _CallAdjuster(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst_metadata.PositionProvider,)

    def __init__(self, func_name, method, call_index, param):
        super().__init__()
        self.func_name = func_name
        self.method = method
        self.call_index = call_index
        self.param = param
        self.adjusted = []
        self.unadjusted = []

    def _matches(self, func):
        if self.method:
            return (isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.value.value in ('self', 'cls')
                    and func.attr.value == self.func_name)
        return isinstance(func, cst.Name) and func.value == self.func_name

    def leave_Call(self, original_node, updated_node):
        if not self._matches(original_node.func):
            return updated_node
        line = self.get_metadata(cst_metadata.PositionProvider,
                                 original_node).start.line
        args = list(updated_node.args)
        keep = None
        for i, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == self.param:
                keep = i
                break
        if keep is None and self.call_index is not None:
            positional = 0
            for i, arg in enumerate(args):
                if arg.star:
                    self.unadjusted.append(line)
                    return updated_node
                if arg.keyword is not None:
                    break
                if positional == self.call_index:
                    keep = i
                    break
                positional += 1
        if keep is None:
            return updated_node
        del args[keep]
        if args and keep == len(args):
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        self.adjusted.append(line)
        return updated_node.with_changes(args=args)


def _has_call(node):
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, call):
            found.append(call)
            return False

    node.visit(Visitor())
    return bool(found)


def _remove_assigns(module, name, stmts):
    lines = _lines_of(module, stmts)
    replace = {}
    removed = []
    kept = []
    for stmt, line in zip(stmts, lines):
        small = stmt.body[0]
        value = getattr(small, 'value', None)
        if value is not None and _has_call(value):
            replace[id(stmt)] = stmt.with_changes(
                body=[cst.Expr(value=value)])
            kept.append(line)
        else:
            removed.append(line)
    new = module.visit(_Remover(stmts, replace))
    parts = []
    if removed:
        parts.append('removed assignment(s) to %s at line(s) %s' % (
            name, ', '.join(str(x) for x in removed)))
    if kept:
        parts.append('dropped the target %s at line(s) %s, keeping the '
                     'call' % (name, ', '.join(str(x) for x in kept)))
    return new, '; '.join(parts)


def _remove_imports(module, name, stmts):
    lines = _lines_of(module, stmts)
    replace = {}
    targets = []
    for stmt in stmts:
        small = stmt.body[0]
        names = [a for a in small.names if _alias_binds(a) != name]
        if not names:
            targets.append(stmt)
            continue
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        replace[id(stmt)] = stmt.with_changes(
            body=[small.with_changes(names=names)])
    new = module.visit(_Remover(targets, replace))
    return new, 'removed import of %s (line %s)' % (
        name, ', '.join(str(x) for x in lines))


def _def_span(module, name):
    """(first, last) line of the first def called ``name``."""
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            if node.name.value == name and not found:
                found.append(node)

    module.visit(Visitor())
    if not found:
        return None
    wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    pos = wrapper.resolve(cst_metadata.PositionProvider)[found[0]]
    return pos.start.line, pos.end.line


def _references(module, name, kind, scope=None):
    """Lines where ``name`` is still used after a removal.

    ``scope``: the name of the def the search is limited to (a removed
    parameter is only referenced inside its function).
    """
    owners = {'self', 'cls'} | {n.name.value for n in _walk_classes(module)}
    lines = _occurrences(module, name, owners)
    if scope is not None:
        span = _def_span(module, scope)
        if span:
            lines = [x for x in lines if span[0] <= x <= span[1]]
    if kind in ('param', 'assign'):
        # Lines that still (re)bind the name are not references to it.
        try:
            tree = ast.parse(module.code)
        except (SyntaxError, ValueError):
            return lines
        stores = set()
        loads = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == name:
                (stores if isinstance(node.ctx, ast.Store)
                 else loads).add(node.lineno)
            elif (isinstance(node, ast.Attribute) and node.attr == name
                  and isinstance(node.value, ast.Name)
                  and node.value.id in owners):
                (stores if isinstance(node.ctx, ast.Store)
                 else loads).add(node.lineno)
            elif isinstance(node, ast.arg) and node.arg == name:
                stores.add(node.lineno)
        return sorted(line for line in lines
                      if line in loads or line not in stores)
    return lines
