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


"""REPLACE: an expression replaced by another, in a def, a call or a line."""

import ast

import libcst as cst
from libcst import matchers as cst_matchers
from libcst import metadata as cst_metadata

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.read import texts


class _ReplaceExpression(cst.CSTTransformer):
    """Replace every expression equal to ``old`` with ``new``.

    Only inside the def named ``scope`` when one is given, in the calls
    of ``call:f``, or (:class:`_ReplaceOnLine`) in the statement on
    ``line:N``.
    """

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


class _ReplaceOnLine(_ReplaceExpression):
    """_ReplaceExpression for ``line:N``.

    It needs positions, which cost a pass over the whole module, so they
    are only asked for here.
    """

    METADATA_DEPENDENCIES = (cst_metadata.PositionProvider,)


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
        raise common.Refused('%s `%s` is not a Python expression'
                             % (what, texts.short(text, 60)))


def apply_replace(source, old, new, scope):
    """``old`` -> ``new`` wherever it occurs (in def ``scope``)."""
    old_node = _expression(old or '', 'the text to replace')
    new_node = _expression(new or '', 'the replacement')
    module = common.cst_parse(source)
    defs = cst_matchers.findall(module, cst_matchers.FunctionDef())
    if scope and not scope.startswith(('call:', 'line:')) and scope not in {
            node.name.value for node in defs}:
        scope = None
    if scope and scope.startswith('line:'):
        transformer = _ReplaceOnLine(old_node, new_node, scope)
        result = cst_metadata.MetadataWrapper(module).visit(transformer)
    else:
        transformer = _ReplaceExpression(old_node, new_node, scope)
        result = module.visit(transformer)
    where = ('in the calls to %s' % scope[5:] if scope and scope.startswith(
        'call:') else 'on line %s' % scope[5:] if scope and scope.startswith(
        'line:') else 'in %s' % scope if scope else 'in the test')
    if not transformer.count:
        raise common.Refused('`%s` does not occur %s' %
                             (texts.short(old, 60), where))
    return result.code, 'replaced `%s` with `%s` %d time(s) %s' % (
        texts.short(old, 40), texts.short(new, 40), transformer.count, where)
