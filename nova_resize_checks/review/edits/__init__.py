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

One module per kind of change, each a small set of libcst transformers
or text edits: ``full`` (TEST_FULL), ``by_line`` (LINE_CHANGE, REMOVE of
a line), ``hunks`` (TEST_DIFF, NOVA_DIFF), ``snippet`` (TEST_SNIPPET,
REMOVE of a statement; with ``align``, the statement alignment, ``defs``,
the defs, classes and imports a snippet shows, and ``layout``),
``rename`` (RENAME), ``remove`` (REMOVE of a name, its calls, the
assertions reading it, or a keyword statement), ``replace`` (REPLACE) and
``insert`` (INSERT); ``common`` holds what they share.  This module only
dispatches (:data:`APPLIERS`, a registry by change kind) and follows line
numbers through earlier changes.

Anchoring is by content, not by the line numbers a review quotes (those
are lines of upstream's older test, not of ours), and follows a strictness
ladder that stops at the first rung that finds anything; a rung that finds
two equally good places refuses instead of guessing.

* TEST_DIFF / NOVA_DIFF: read with unidiff; when unidiff rejects the text
  or disagrees with a count-free reading (unidiff trusts hunk counts and
  silently drops lines beyond them), the count-free reading is repaired
  into a well-formed diff that unidiff reads.  Each hunk's
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
  under the old class header.  A method of ours shown under a new name
  with its body unchanged is a rename (callers follow).  A def that does
  not exist is added (to the test class if it takes ``self``/``cls``).
  Imports are added once.
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
every text passes ``ast`` and a nesting bound first
(:func:`common.cst_parse`).
"""

import ast
import dataclasses
import difflib
import typing

from nova_resize_checks.review.edits import by_line
from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import full
from nova_resize_checks.review.edits import hunks
from nova_resize_checks.review.edits import insert
from nova_resize_checks.review.edits import remove
from nova_resize_checks.review.edits import rename
from nova_resize_checks.review.edits import replace
from nova_resize_checks.review.edits import snippet
from nova_resize_checks.review import model
from nova_resize_checks.review.read import texts


@dataclasses.dataclass
class _State:
    test: str
    overlay: typing.Dict[str, str]
    # In a group of line edits ("change lines N-M to"), each edit is of
    # its own line only (see by_line.apply_line_change).
    in_group: bool = False


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
    work = _State(test=state.test, overlay=state.overlay,
                  in_group=len(group) > 1)
    work_lines = lines.copy()
    reasons = {}
    # Line edits go bottom-up: a line's new code may repeat a line below
    # it that goes too, and by then that line is gone (the map of where
    # lines are cannot tell the copy from the original).
    order = sorted(range(len(group)), key=lambda k: -(group[k].line or 0)) \
        if all(_is_line_edit(c) for c in group) else range(len(group))
    try:
        for index in order:
            change = group[index]
            try:
                test, overlay, reason = _apply_one(work, change, nova_reader,
                                                   work_lines)
            except common.Refused as exc:
                if len(group) > 1:
                    raise common.Refused('%s (%s)' % (exc, change.summary
                                                      or change.kind))
                raise
            work_lines.update(work.test, test)
            work = _State(test=test, overlay=overlay,
                          in_group=len(group) > 1)
            reasons[index] = reason
        common.check_parses(work.test, 'the test')
        for path in sorted(work.overlay):
            if work.overlay[path] is not state.overlay.get(path):
                common.check_compiles(work.overlay[path], path)
    except common.Refused as exc:
        failed = str(exc)
    except RecursionError:
        failed = 'code is too deeply nested to edit'
    except Exception as exc:  # never let one change stop the others
        failed = 'could not apply: %s: %s' % (
            type(exc).__name__, texts.short(str(exc), 200))
    else:
        work = _State(test=work.test, overlay=work.overlay)
        return work, work_lines, [model.Applied(change, True, reasons[k])
                                  for k, change in enumerate(group)]
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
            raise common.Refused(
                'line %s is out of range (the test has %d lines)'
                % (number, self.count))
        now = self.where[number - 1]
        if now is None:
            raise common.Refused('line %d was already changed by an earlier '
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


def _full(state, change, nova_reader, lines):
    return full.apply_full(state, change)


def _snippet(state, change, nova_reader, lines):
    test, reason = snippet.apply_snippet(state.test, change.code,
                                         change.partial)
    return test, state.overlay, reason


def _patch(state, change, nova_reader, lines):
    return hunks.apply_patch(state, change, nova_reader)


def _line_change(state, change, nova_reader, lines):
    test, reason = by_line.apply_line_change(
        state.test, change, lines.current(change.line),
        whole_statement=not state.in_group)
    return test, state.overlay, reason


def _rename(state, change, nova_reader, lines):
    test, reason = rename.apply_rename(state.test, change.old, change.new,
                                       change.target.def_name)
    return test, state.overlay, reason


def _first_that_applies(*attempts):
    """The result of the first attempt not refused; else the first refusal.

    ``attempts``: functions of no argument.
    """
    first = None
    for attempt in attempts:
        try:
            return attempt()
        except common.Refused as refused:
            first = first or refused
    raise first


def _remove(state, change, nova_reader, lines):
    test = state.test
    old = (change.old or '').strip().strip('`').strip()
    within = change.target.def_name
    if _is_line_edit(change):
        found = by_line.remove_line(test, change.line,
                                    lines.current(change.line))
    elif change.unit == model.KEYWORD:
        found = remove.remove_by_keyword(test, old, within)
    elif change.unit == model.CALLS and common.NAME_RE.match(old):
        # "the `no_usage` comparison": not called, so the assertions
        # reading it.
        found = _first_that_applies(
            lambda: remove.remove_calls(test, old, within),
            lambda: remove.remove_assertions_using(test, old, within))
    elif common.NAME_RE.match(old):
        # "delete the assertIn in f": when nothing of that name is defined,
        # the one statement calling it is meant.
        found = _first_that_applies(
            lambda: remove.apply_remove(test, change.old, change.summary),
            lambda: remove.remove_calls(test, old, within, single=True))
    elif (change.old or '').strip():
        found = snippet.remove_statement(test, change.old)
    else:
        raise common.Refused('nothing to remove (no name, statement or line)')
    return found[0], state.overlay, found[1]


def _replace(state, change, nova_reader, lines):
    target = change.target
    rel = hunks.nova_relpath(target.path) if target.in_nova else None
    if rel is None:
        test, reason = _first_that_applies(
            lambda: replace.apply_replace(
                state.test, change.old, change.new, change.target),
            lambda: _replace_statement(state.test, change))
        return test, state.overlay, reason
    overlay = dict(state.overlay)
    if rel not in overlay:
        overlay[rel] = hunks.read_nova(nova_reader, rel)
    overlay[rel], reason = replace.apply_replace(
        overlay[rel], change.old, change.new,
        dataclasses.replace(target, path=''))
    return state.test, overlay, '%s: %s' % (rel, reason)


def _replace_statement(test, change):
    """A whole statement for another ("replace `x = f(a)` with ...").

    Only where ``old`` is a statement that is not an expression the
    expression replacement could have taken.
    """
    if texts.parse_python(change.old or '') is None or \
            texts.parse_python(change.new or '') is None or \
            _is_expression(change.old):
        raise common.Refused('`%s` is not a statement of the test'
                             % texts.short(change.old or '', 60))
    return snippet.replace_statement(test, change.old, change.new)


def _is_expression(code):
    tree = texts.parse_python(code)
    return tree is not None and len(tree.body) == 1 and \
        isinstance(tree.body[0], ast.Expr) and \
        not isinstance(tree.body[0].value, ast.Call)


def _insert(state, change, nova_reader, lines):
    test, reason = insert.apply_insert(state.test, change.code,
                                       change.anchor, change.where,
                                       change.target.def_name)
    return test, state.overlay, reason


# Change kind -> applier(state, change, nova_reader, lines), each giving
# (test, overlay, reason) or raising common.Refused.
APPLIERS = {
    model.TEST_FULL: _full,
    model.TEST_SNIPPET: _snippet,
    model.TEST_DIFF: _patch,
    model.NOVA_DIFF: _patch,
    model.LINE_CHANGE: _line_change,
    model.RENAME: _rename,
    model.REMOVE: _remove,
    model.REPLACE: _replace,
    model.INSERT: _insert,
}


def _apply_one(state, change, nova_reader, lines):
    size = max([len(value) for value in change.fields().values()
                if isinstance(value, str)] + [0])
    if size > common.MAX_CODE_CHARS:
        raise common.Refused('code is too large (%d characters, limit %d)'
                             % (size, common.MAX_CODE_CHARS))
    applier = APPLIERS.get(change.kind)
    if applier is None:
        raise common.Refused('unknown change kind %r' % (change.kind,))
    return applier(state, change, nova_reader, lines)


normalize = common.normalize
MAX_CODE_CHARS = common.MAX_CODE_CHARS
