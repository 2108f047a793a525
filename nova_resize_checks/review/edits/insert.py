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


"""INSERT.

Statements added next to an anchor statement, or at an end of a def.
"""

import ast
import textwrap

import libcst as cst
from libcst import matchers as cst_matchers

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.read import texts


def _ast_key(code):
    """A statement's code without layout or comments, or None."""
    try:
        return ast.dump(ast.parse(textwrap.dedent(code).strip()))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _InsertStatements(common.InDef):
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
            at = 1 if body and common.is_docstring(body[0]) else 0
            body[at:at] = self.new
        return updated.with_changes(
            body=updated.body.with_changes(body=body))


def _insert_at_edge(source, new, where, scope):
    module = common.cst_parse(source)
    transformer = _AddToDef(new, where, scope)
    result = module.visit(transformer)
    if transformer.done != 1:
        raise common.Refused('%s def named %s in the test' % (
            'no' if not transformer.done else 'more than one', scope))
    return result.code, 'added %d statement(s) at the %s of %s' % (
        len(new), where, scope)


def apply_insert(source, code, anchor, where, scope):
    """Insert statements ``code`` ``where`` ('after'/'before') an anchor.

    ``anchor`` names one statement: its text, or a function it calls.
    """
    try:
        new = list(common.cst_parse(
            textwrap.dedent(code).strip() + '\n').body)
    except common.Refused:
        raise
    except Exception:
        raise common.Refused('`%s` is not Python statements' %
                             texts.short(code, 60))
    if where in ('end', 'start'):
        return _insert_at_edge(source, new, where, scope)
    anchor = anchor.strip().strip('`').strip()
    anchor_key = _ast_key(anchor)
    called = anchor.rstrip('()').rsplit('.', 1)[-1]
    by_call = bool(common.NAME_RE.match(anchor))
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

    module = common.cst_parse(source)
    defs = {node.name.value for node in cst_matchers.findall(
        module, cst_matchers.FunctionDef())}
    if scope not in defs:
        scope = None
    transformer = _InsertStatements(new, where, is_anchor, scope)
    result = module.visit(transformer)
    what = ('the call to %s' % called if by_call
            else '`%s`' % texts.short(anchor, 60))
    inside = ' in %s' % scope if scope else ''
    if not transformer.anchors:
        raise common.Refused('%s is not a statement of the test%s'
                             % (what, inside))
    if len(transformer.anchors) > 1:
        raise common.Refused(
            '%s occurs %d times%s; cannot tell where to add the statements'
            % (what, len(transformer.anchors), inside))
    return result.code, 'added %d statement(s) %s %s%s' % (
        len(new), where, what, inside)
