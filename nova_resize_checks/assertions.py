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


"""Which assertion of a regression test failed, read from its traceback.

A mutant is only *caught* when the test fails on one of its allocation
assertions: an error, a timeout in a wait helper or a failure while booting
proves nothing about placement.  These helpers find the failing line of the
test file in a traceback and tell whether it is an allocation assertion.
No nova import; the test source is read with ``ast``.
"""

import ast
import dataclasses
import re
import typing

# '  File "/path/test_bug_1825537.py", line 87, in test_...', as the
# traceback module writes a frame: two spaces, never more (its source
# lines are indented by four, so a quoted source line is no frame).
_FRAME = re.compile(r'^  File "([^"\n]{1,4096})", line (\d{1,9}), in '
                    r'([^\n]{1,512})$')
_HEADER = 'Traceback (most recent call last):'

TEST_METHOD = 'test_finish_resize_fails_allocation_cleanup'
RESIZE_HELPER = '_resize_and_assert_error'


@dataclasses.dataclass
class FailureSite:
    path: str
    line: int
    function: str
    code: str                  # the source line, stripped ('' if unknown)
    message: str               # the assertion's message (last line(s))
    allocation: bool           # is the line an allocation assertion?

    def to_dict(self):
        return dataclasses.asdict(self)


def call_name(node):
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ''


def is_assertion_call(node):
    """Whether ``node`` is a call that asserts (``assert*`` or ``fail``)."""
    if not isinstance(node, ast.Call):
        return False
    name = call_name(node)
    return name.startswith('assert') or name == 'fail'


def bound_and_read(source):
    """Per function of ``source``: (names it binds, names it reads).

    Bound: its parameters and every name it stores (assignments, loop and
    ``with`` targets, imports).  Empty when ``source`` does not parse.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found = {}
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        bound = {arg.arg for arg in ast.walk(func.args)
                 if isinstance(arg, ast.arg)}
        read = set()
        for node in ast.walk(func):
            if isinstance(node, ast.Name):
                (read if isinstance(node.ctx, ast.Load) else bound).add(
                    node.id)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split('.')[0])
        found[func.name] = (bound, read)
    return found


# Calls that ask nova for the resize (or cold migration) itself, in the
# helper dialects of the test's versions.
RESIZE_CALLS = frozenset(('post_server_action', '_resize_server',
                          '_migrate_server', '_migrate_or_resize'))


def _resizers(tree):
    """Names of the calls that start the resize in a test module.

    ``_resize_and_assert_error`` and the calls of RESIZE_CALLS, and any
    other def of the module that makes one of those calls (a review may
    rename the helper: the resize still happens where it is called).
    """
    names = {RESIZE_HELPER} | RESIZE_CALLS
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                node.name != TEST_METHOD and any(
                    isinstance(sub, ast.Call) and call_name(sub) in
                    RESIZE_CALLS for sub in ast.walk(node)):
            names.add(node.name)
    return names


# What reads placement: nova's functional helpers that ask placement, and
# the placement client of nova's test case.  An assertion reads placement
# when it calls one, is one of the placement assertions, or reads a local
# bound from one.  The names count only while the test module does not
# define them itself (a review's own ``_get_provider_usages`` may return
# anything).
PLACEMENT_READS = frozenset((
    '_get_provider_usages', '_get_allocations_by_server_uuid',
    '_get_allocations_by_provider_uuid', '_get_provider_uuid_by_host',
    '_get_all_rp_uuids_in_a_tree', '_get_provider_inventory',
    '_get_provider_traits', '_get_provider_aggregates',
    '_get_all_resource_providers'))
PLACEMENT_ASSERTIONS = frozenset((
    'assertFlavorMatchesAllocation', 'assertFlavorMatchesUsage',
    'assertRequestMatchesUsage', 'assertFlavorsMatchAllocation'))
PLACEMENT_CLIENTS = frozenset(('self.placement', 'self.placement_api'))


def dotted(node):
    """``a.b.c`` for a name or an attribute path, else ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return inner + '.' + node.attr if inner else ''
    return ''


class _Placement(object):
    """Which expressions of one test method read placement."""

    def __init__(self, tree):
        own = {node.name for node in ast.walk(tree)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.reads = {'self.' + n for n in PLACEMENT_READS - own}
        self.asserts = {'self.' + n for n in PLACEMENT_ASSERTIONS - own}
        self.derived = set()

    def reads_placement(self, node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                name = dotted(sub.func)
                if name in self.reads or name in self.asserts or \
                        name.rsplit('.', 1)[0] in PLACEMENT_CLIENTS:
                    return True
            elif isinstance(sub, ast.Name) and sub.id in self.derived:
                return True
        return False

    def bind(self, stmt):
        """Follow which locals hold what placement said."""
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            names = {n.id for n in ast.walk(stmt.target)
                     if isinstance(n, ast.Name)}
            if self.reads_placement(stmt.iter):
                self.derived |= names
            else:
                self.derived -= names
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) \
                else [stmt.target]
            names = {n.id for t in targets for n in ast.walk(t)
                     if isinstance(n, ast.Name)}
            if stmt.value is not None and self.reads_placement(stmt.value):
                self.derived |= names
            elif not isinstance(stmt, ast.AugAssign):
                self.derived -= names


def _span(node):
    return range(node.lineno, getattr(node, 'end_lineno', node.lineno) + 1)


def allocation_assertion_lines(source, method=TEST_METHOD):
    """Line numbers of the placement assertions in the test method.

    Those are the ``assert*`` and ``fail`` calls and ``assert`` statements
    that come after the call to ``_resize_and_assert_error`` in ``method``
    and read placement (see :class:`_Placement`), and the ``fail`` calls
    and re-raises of an ``except`` whose ``try`` holds one (unittest's way
    to fail a placement assertion with more details).  Every line a
    multi-line one spans is included.  An assertion about anything else
    (a mock's calls, nova's internals) is not one: a mutant that gets
    placement wrong is caught only by placement.  An unparsable source
    gives an empty set.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    lines = set()
    resizers = _resizers(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.name == method):
            continue
        placement = _Placement(tree)
        after_resize = False
        for stmt in _in_order(node.body):
            if not after_resize and any(
                    isinstance(sub, ast.Call) and call_name(sub) in resizers
                    for sub in ast.walk(stmt)):
                after_resize = True
                placement.bind(stmt)
                continue
            placement.bind(stmt)
            if after_resize:
                lines.update(_placement_checks(stmt, placement))
    return lines


def _in_order(body):
    """The statements of ``body`` and of the blocks inside, in order.

    A def nested in the test method is one of its blocks too: a check it
    holds runs when the method calls it (``self._wait_for_assert(check)``).
    """
    for stmt in body:
        yield stmt
        for field in ('body', 'orelse', 'finalbody'):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt,
                                                          ast.ClassDef):
                yield from _in_order(inner)
        for handler in getattr(stmt, 'handlers', ()):
            yield from _in_order(handler.body)


def _own_nodes(stmt):
    """The nodes of ``stmt`` outside the statements nested in it."""
    todo = [stmt]
    while todo:
        node = todo.pop()
        yield node
        for field, value in ast.iter_fields(node):
            if node is not stmt or field not in _BLOCK_FIELDS:
                todo.extend(child for child in (
                    value if isinstance(value, list) else [value])
                    if isinstance(child, ast.AST))


_BLOCK_FIELDS = frozenset(('body', 'orelse', 'finalbody', 'handlers'))


# How many leading positional arguments an assertion compares; the next
# one is its message.  An assertion not named here compares every
# argument but a ``msg`` keyword.
_OPERANDS = dict(
    [(name, 1) for name in ('assertTrue', 'assertFalse', 'assertIsNone',
                            'assertIsNotNone', 'assert_', 'failUnless',
                            'failIf')] +
    [(name, 2) for name in (
        'assertEqual', 'assertEquals', 'assertNotEqual', 'assertIn',
        'assertNotIn', 'assertIs', 'assertIsNot', 'assertIsInstance',
        'assertNotIsInstance', 'assertGreater', 'assertGreaterEqual',
        'assertLess', 'assertLessEqual', 'assertDictEqual',
        'assertListEqual', 'assertCountEqual', 'assertItemsEqual',
        'assertSequenceEqual', 'assertSetEqual', 'assertTupleEqual',
        'assertMultiLineEqual', 'assertRegex', 'assertNotRegex',
        'assertRegexpMatches', 'assertDictContainsSubset', 'assertThat')] +
    [('fail', 0)])


def compared(node):
    """The parts of an assertion that decide it: not its message.

    ``assert test, msg`` compares ``test``; ``self.assertEqual(a, b, msg)``
    compares ``a`` and ``b``; ``self.fail(msg)`` compares nothing (the
    ``if`` around it does).  A message that mentions placement does not
    make a check of something else a placement assertion (round 10).
    """
    if isinstance(node, ast.Assert):
        return [node.test]
    count = _OPERANDS.get(call_name(node))
    args = node.args if count is None else node.args[:count]
    return list(args) + [k.value for k in node.keywords
                         if k.arg not in ('msg', 'message')]


def _placement_checks(stmt, placement):
    """Lines of ``stmt`` itself (not its blocks) that assert placement.

    An assertion anywhere in the statement counts, in a lambda too
    (``self._wait_for_assert(lambda: self.assertEqual(...))``), when what
    it compares reads placement (:func:`compared`); so do the ``fail``
    calls and raises directly under an ``if`` whose test reads placement.
    """
    found = set()
    for node in _own_nodes(stmt):
        if (isinstance(node, ast.Assert) or is_assertion_call(node)) and \
                any(placement.reads_placement(part)
                    for part in compared(node)):
            found.update(_span(node))
    if isinstance(stmt, ast.If) and placement.reads_placement(stmt.test):
        for inner in stmt.body:
            for node in _own_nodes(inner):
                if isinstance(node, ast.Raise) or (
                        is_assertion_call(node) and
                        call_name(node) == 'fail'):
                    found.update(_span(node))
    if isinstance(stmt, ast.Try) and any(
            _placement_checks(inner, placement)
            for inner in _in_order(stmt.body)):
        for handler in stmt.handlers:
            for inner in ast.walk(handler):
                if isinstance(inner, ast.Raise) or is_assertion_call(inner):
                    found.update(_span(inner))
    return found


def _frames(traceback_text):
    """``(frames, message lines)`` of the first traceback in a text.

    The frames are the ``_FRAME`` matches that follow the first
    "Traceback (most recent call last):" line (outside testtools'
    attachments, which come first: captured logs), each with its indented
    source and caret lines; the exception starts at the first line that
    is not indented, and everything after it is its message.  Nothing in
    a message (which the code under test writes) is read as a frame: a
    test cannot forge where it failed by printing frame lines.  With no
    header, there are no frames and the last lines are the message.
    """
    lines = (traceback_text or '').rstrip().splitlines()
    index = _first_header(lines)
    if index is None:
        return [], lines[-5:]
    frames = []
    while index < len(lines):
        line = lines[index]
        found = _FRAME.match(line)
        if found:
            frames.append(found)
        elif line.strip() and not line[:1].isspace():
            break
        index += 1
    return frames, lines[index:]


# testtools writes a test's other details before its traceback, each as
# "name: {{{" ... "}}}" (captured logs hold tracebacks of their own).
_ATTACHMENT = re.compile(r'^\S[^\n]*: \{\{\{$')


def _first_header(lines):
    """The line after the first traceback header outside attachments."""
    inside = False
    for number, line in enumerate(lines):
        if inside:
            inside = line != '}}}'
        elif _ATTACHMENT.match(line):
            inside = True
        elif line.strip() == _HEADER:
            return number + 1
    return None


def exception_message(traceback_text):
    """The exception text after a traceback's frames, trimmed."""
    _found, message = _frames(traceback_text)
    return '\n'.join(line for line in message if line.strip())[:2000]


def failure_site(traceback_text, test_path, test_source,
                 method=TEST_METHOD):
    """Locate the innermost frame in ``test_path`` of a traceback.

    ``test_path`` may be a basename; frames are matched by suffix.  Returns
    None when no frame of the test file is in the traceback.
    """
    frames = [m for m in _frames(traceback_text)[0]
              if m.group(1).endswith(test_path.rsplit('/', 1)[-1])]
    if not frames:
        return None
    last = frames[-1]
    line = int(last.group(2))
    source_lines = test_source.splitlines()
    code = (source_lines[line - 1].strip()
            if 0 < line <= len(source_lines) else '')
    return FailureSite(
        path=last.group(1), line=line, function=last.group(3).strip(),
        code=code, message=exception_message(traceback_text),
        allocation=line in allocation_assertion_lines(test_source, method))


def first_line(text: typing.Optional[str], limit=300):
    """A one-line digest of a message, for tables and JSON evidence.

    The first few non-empty lines joined with " | " (a MismatchError's
    first line alone, "!=:", says nothing).
    """
    lines = [line.strip() for line in (text or '').splitlines()
             if line.strip()]
    return ' | '.join(lines[:4])[:limit]
