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
from nova_resize_checks.review import model
from nova_resize_checks.review.read import texts


class _ReplaceExpression(cst.CSTTransformer):
    """Replace every expression equal to ``old`` with ``new``.

    Within ``target`` (a :class:`model.Target` of the file): the whole
    file, def ``name``, the calls of ``name``, or (:class:`_ReplaceOnLine`)
    the statement on ``line``.
    """

    def __init__(self, old, new, target):
        super(_ReplaceExpression, self).__init__()
        self.old = old
        self.new = new
        self.target = target
        self.depth = 0 if target.scope != model.WHOLE else 1
        self.count = 0
        self.old_key = _expression_key(old)

    def _in_scope(self, node):
        scope = self.target.scope
        if scope == model.LINE:
            if not isinstance(node, cst.SimpleStatementLine):
                return False
            where = self.get_metadata(cst_metadata.PositionProvider, node)
            return where.start.line <= self.target.line <= where.end.line
        if scope == model.CALLS:
            if not isinstance(node, cst.Call):
                return False
            func = node.func
            name = func.attr if isinstance(func, cst.Attribute) else func
            return isinstance(name, cst.Name) and \
                name.value == self.target.name
        return scope == model.DEF and isinstance(node, cst.FunctionDef) \
            and node.name.value == self.target.name

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
        return common.cst_expression(text.strip().strip('`').strip())
    except common.Refused:
        raise
    except Exception:
        raise common.Refused('%s `%s` is not a Python expression'
                             % (what, texts.short(text, 60)))


_WHERE = {model.CALLS: 'in the calls to {0.name}',
          model.LINE: 'on line {0.line}', model.DEF: 'in {0.name}',
          model.WHOLE: 'in the test'}


def apply_replace(source, old, new, target):
    """``old`` -> ``new`` wherever it occurs within ``target``.

    ``target``: a :class:`model.Target` (its path is not read here); a def
    the source does not have means the whole source.
    """
    old_node = _expression(old or '', 'the text to replace')
    new_node = _expression(new or '', 'the replacement')
    module = common.cst_parse(source)
    defs = cst_matchers.findall(module, cst_matchers.FunctionDef())
    if target.scope == model.DEF and target.name not in {
            node.name.value for node in defs}:
        target = model.Target()
    if target.scope == model.LINE:
        transformer = _ReplaceOnLine(old_node, new_node, target)
        result = cst_metadata.MetadataWrapper(module).visit(transformer)
    else:
        transformer = _ReplaceExpression(old_node, new_node, target)
        result = module.visit(transformer)
    where = _WHERE[target.scope].format(target)
    if not transformer.count:
        raise common.Refused('`%s` does not occur %s' %
                             (texts.short(old, 60), where))
    return result.code, 'replaced `%s` with `%s` %d time(s) %s' % (
        texts.short(old, 40), texts.short(new, 40), transformer.count, where)
