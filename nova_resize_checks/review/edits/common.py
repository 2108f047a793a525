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


"""What every kind of edit shares.

Refusals, parsing with limits, small helpers.
"""

import ast
import keyword
import re

import libcst as cst
from libcst import metadata as cst_metadata

from nova_resize_checks.review.read import texts


TEST_BASENAME = 'test_bug_1825537.py'


CANONICAL_CLASS = 'FinishResizeErrorAllocationCleanupTestCase'


# A change's code larger than this is refused unread (a test is ~5 kB).
MAX_CODE_CHARS = 500000


# Deeper code is refused before libcst sees it (see cst_parse).
MAX_NESTING = 1000


TEMP_INDENT = '    '


NAME_RE = re.compile(r'^(?:self\.|cls\.)?[A-Za-z_]\w*(?:\(\))?$')


BLANK = cst.EmptyLine(indent=False)


class Refused(Exception):
    """A change cannot be applied; the message says why."""


def normalize(source):
    """Return a key equal for sources that differ only in form.

    Parsed sources give ``'ast:'`` and the ``ast.dump`` of the module with
    docstrings dropped (comments and whitespace never reach the ``ast``);
    sources that do not parse give ``'text:'`` and the text with runs of
    whitespace collapsed.
    """
    try:
        tree = ast.parse(source)
        drop_docstrings(tree)
        return 'ast:' + ast.dump(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 'text:' + ' '.join(str(source).split())


class InDef(cst.CSTTransformer):
    """A transformer that knows whether it is inside the def ``scope``.

    Always, when no scope is given.
    """

    def __init__(self, scope=None):
        super(InDef, self).__init__()
        self.scope = scope
        self.defs = []

    def visit_FunctionDef(self, node):
        self.defs.append(node.name.value)

    def leave_FunctionDef(self, original, updated):
        self.defs.pop()
        return updated

    def _active(self):
        return not self.scope or self.scope in self.defs


def cst_parse(text):
    """``ast.parse`` then ``libcst.parse_module``.

    libcst's native parser can overflow the C stack (and kill the process)
    on input that ``ast`` accepts, e.g. ``a or a or ...`` 8000 times, or on
    input nested deeper than ``ast`` allows.  ``ast`` goes first and a
    nesting bound (counting each operand of a boolean chain or comparison
    as a level) is enforced before libcst sees the text.  Raises
    ``SyntaxError``/``ValueError`` (ast), ``libcst.ParserSyntaxError`` or
    :class:`Refused`.  Every libcst parse of review text goes through here
    or :func:`cst_expression`.
    """
    _bounded(text, 'exec')
    return cst.parse_module(text)


def cst_expression(text):
    """:func:`cst_parse` for one expression (``libcst.parse_expression``)."""
    _bounded(text, 'eval')
    return cst.parse_expression(text)


def _bounded(text, mode):
    """Raise unless ``ast`` parses ``text`` within :data:`MAX_NESTING`."""
    try:
        tree = ast.parse(text, mode=mode)
    except (RecursionError, MemoryError):
        raise Refused('code is nested too deeply to edit')
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
            raise Refused('code is nested too deeply to edit (more than %d '
                          'levels)' % MAX_NESTING)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))


def check_parses(text, what):
    try:
        cst_parse(text)
    except cst.ParserSyntaxError as exc:
        raise Refused('result would not parse (%s): %s'
                      % (what, texts.short(str(exc).splitlines()[0], 160)))
    except (SyntaxError, ValueError) as exc:
        raise Refused('result would not parse (%s): %s'
                      % (what, texts.short(str(exc), 160)))


def check_compiles(text, what):
    """Check a nova file of the overlay with ``ast`` only.

    Nova files are edited as text, never with libcst (which takes seconds
    to parse nova/compute/manager.py).
    """
    try:
        ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        raise Refused('result would not parse (%s): %s'
                      % (what, texts.short(str(exc), 160)))
    except (RecursionError, MemoryError):
        raise Refused('result is nested too deeply to check (%s)' % what)


def drop_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:]


def identifier(name, what):
    name = (name or '').strip().strip('`\'"').strip()
    if name.endswith('()'):
        name = name[:-2]
    for prefix in ('self.', 'cls.'):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if not name.isidentifier() or keyword.iskeyword(name):
        raise Refused('%s %r is not an identifier' % (what, name))
    return name


def ws_key(line):
    return ' '.join(line.split())


def is_docstring(node):
    return (isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1
            and isinstance(node.body[0], cst.Expr)
            and isinstance(node.body[0].value,
                           (cst.SimpleString, cst.ConcatenatedString)))


class FillEmpty(cst.CSTTransformer):
    """Put ``pass`` into blocks a removal emptied."""

    def leave_IndentedBlock(self, original_node, updated_node):
        if not updated_node.body:
            return updated_node.with_changes(
                body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated_node


def lines_of(module, nodes):
    wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst_metadata.PositionProvider)
    return [positions[n].start.line if n in positions else 0 for n in nodes]
