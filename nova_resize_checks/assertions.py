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


def allocation_assertion_lines(source, method=TEST_METHOD):
    """Line numbers of the placement assertions in the test method.

    Those are the ``assert*`` and ``fail`` calls (``self.fail`` is
    unittest's own way to fail an assertion, e.g. in an ``except
    AssertionError`` that adds details) and ``assert`` statements that
    come after the call to ``_resize_and_assert_error`` in ``method``
    (every line a multi-line one spans is included).  An unparsable source
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
        after_resize = False
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Assert):
                    if after_resize:
                        end = getattr(sub, 'end_lineno', sub.lineno)
                        lines.update(range(sub.lineno, end + 1))
                    continue
                if not isinstance(sub, ast.Call):
                    continue
                if call_name(sub) in resizers:
                    after_resize = True
                elif after_resize and is_assertion_call(sub):
                    end = getattr(sub, 'end_lineno', sub.lineno)
                    lines.update(range(sub.lineno, end + 1))
    return lines


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
