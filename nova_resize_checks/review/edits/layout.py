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


"""Where statements sit: a snippet parsed at an indentation, a block's
indentation, and the leading lines (blank lines, comments) a replaced
statement keeps.
"""

import textwrap

import libcst as cst

from nova_resize_checks.review.edits import common


def statements_at(text, indent):
    """Parse snippet ``text`` as statements to sit at ``indent``.

    Re-indenting before parsing keeps continuation lines inside brackets
    aligned with where the statements will live.
    """
    if not indent:
        module = common.cst_parse(text)
        body = list(module.body)
        comments = [line for line in module.header if line.comment]
        if body and comments:
            body[0] = body[0].with_changes(
                leading_lines=comments + list(body[0].leading_lines))
        return body
    wrapped = 'if True:\n' + textwrap.indent(text, indent)
    module = common.cst_parse(wrapped)
    return list(module.body[0].body.body)


def has_comment(node):
    return any(line.comment for line in getattr(node, 'leading_lines', ()))


class Layout(cst.CSTVisitor):
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


def code_of(node):
    """Source of a statement with its own comments, at column 0."""
    return cst.Module(body=[]).code_for_node(node)


def block_indent(module, block):
    layout = Layout(module)
    module.visit(layout)
    for node, indent in layout.blocks:
        if node is block:
            return indent
    raise common.Refused('internal: block not found')


def keep_leading(new, old):
    """Give ``new`` the blank lines/comments of ``old`` unless it has own.

    When ``new`` brings comments, it keeps them after ``old``'s leading
    blank lines.
    """
    if not has_comment(new):
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
