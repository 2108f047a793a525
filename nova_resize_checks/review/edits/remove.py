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


"""REMOVE.

A def, parameter, assignment, import, or the statements calling a name.
"""

import libcst as cst
from libcst import matchers as cst_matchers

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import names


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


class _RemoveStatements(common.InDef):
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
    module = common.cst_parse(source)
    defs = {node.name.value for node in cst_matchers.findall(
        module, cst_matchers.FunctionDef())}
    if scope not in defs:
        scope = None
    transformer = _RemoveStatements(matches, scope)
    result = module.visit(transformer).visit(common.FillEmpty())
    inside = ' in %s' % scope if scope else ' in the test'
    count = len(transformer.removed)
    if not count:
        raise common.Refused('no %s%s' % (what, inside))
    return result.code, count, inside


def remove_by_keyword(source, word, scope):
    """Remove the one ``word`` statement (``return``, ``if``, ...)."""
    kinds = _KEYWORD_NODES.get(word)
    if not kinds:
        raise common.Refused('`%s` does not begin a statement' % word)
    code, count, inside = _remove_matching(
        source, lambda node: isinstance(node, kinds), scope,
        '%s statement' % word)
    if count > 1:
        raise common.Refused('%d %s statements%s; cannot tell which to remove'
                             % (count, word, inside))
    return code, 'removed the %s statement%s' % (word, inside)


def remove_calls(source, name, scope, single=False):
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
        raise common.Refused('%d statements call %s%s; cannot tell which to '
                             'remove' % (count, called, inside))
    return code, 'removed %d statement(s) calling %s%s' % (
        count, called, inside)


def remove_assertions_using(source, name, scope):
    """Remove the assertion statements that read ``name``.

    "the `no_usage` comparison can be removed": ``no_usage`` is a value,
    not something called, so the comparison is the ``assert*`` call (or
    ``assert`` statement) it is an argument of.
    """
    used = cst_matchers.Name(name)

    def asserts(node):
        if isinstance(node, cst.Assert):
            return bool(cst_matchers.findall(node, used))
        if not cst_matchers.matches(node, cst_matchers.Expr(
                value=cst_matchers.Call())):
            return False
        func = node.value.func
        called = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else '')
        return called.startswith('assert') and any(
            cst_matchers.findall(arg.value, used) for arg in node.value.args)

    code, count, inside = _remove_matching(
        source, asserts, scope, 'assertion reading %s' % name)
    return code, 'removed %d assertion(s) reading %s%s' % (
        count, name, inside)


_REMOVE_HINTS = (
    ('param', ('param', 'argument', 'arg ')),
    ('def', ('method', 'function', 'def ', 'helper', 'class')),
    ('assign', ('variable', 'attribute', 'assign', 'constant', 'field')),
    ('import', ('import',)),
)


def apply_remove(source, old, summary):
    name = common.identifier(old, 'name')
    module = common.cst_parse(source)
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
        raise common.Refused('no def, parameter, assignment or import named '
                             '`%s` in the test' % name)
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
    new = new.visit(common.FillEmpty())
    refs = _references(new, name, kind, scope)
    if refs:
        reason += '; still referenced at lines %s' % ', '.join(
            str(x) for x in refs)
    return new.code, reason


def _removables(module, name):
    """What binds ``name``, by kind, from the scope metadata (:mod:`names`).

    ``def``: FunctionDef/ClassDef nodes; ``param``: the FunctionDefs taking
    it; ``assign``: one-statement lines assigning it (or ``self.name``);
    ``import``: import lines binding it.
    """
    found = {'def': [], 'param': [], 'assign': [], 'import': []}
    uses = names.find(module, name)

    def add(kind, node):
        if node is not None and node not in found[kind]:
            found[kind].append(node)

    for node in uses.bound + uses.attr_bound:
        parent = uses.parent(node)
        if isinstance(node, cst.ImportAlias):
            add('import', _statement_line(uses, node))
        elif isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
            add('def', parent)
        elif isinstance(parent, cst.Param):
            func = uses.parent(uses.parent(parent))
            if isinstance(func, cst.FunctionDef):
                add('param', func)
        else:
            line = _statement_line(uses, node)
            if line is not None and _assigns_only(line, node, uses):
                add('assign', line)
    return found


def _statement_line(uses, node):
    while node is not None and not isinstance(node,
                                              cst.SimpleStatementLine):
        node = uses.parent(node)
    return node


def _assigns_only(line, node, uses):
    """Whether ``line`` is one assignment whose whole target is ``node``."""
    if len(line.body) != 1:
        return False
    small = line.body[0]
    target = node
    if isinstance(uses.parent(node), cst.Attribute):
        target = uses.parent(node)
    if isinstance(small, cst.Assign):
        return len(small.targets) == 1 and small.targets[0].target is target
    if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        return small.target is target
    return False


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


def _remove_defs(module, name, nodes):
    if len(nodes) > 1:
        raise common.Refused(
            '`%s` is defined %d times (lines %s); cannot tell which to '
            'remove' % (name, len(nodes), ', '.join(
                str(x) for x in common.lines_of(module, nodes))))
    line = common.lines_of(module, nodes)[0]
    what = 'class' if isinstance(nodes[0], cst.ClassDef) else 'def'
    new = module.visit(_Remover(nodes))
    return new, 'removed %s %s (line %d)' % (what, name, line)


def _remove_param(module, name, defs):
    if name in ('self', 'cls'):
        raise common.Refused('refusing to remove `%s`' % name)
    if len(defs) > 1:
        raise common.Refused(
            'several functions take a parameter `%s` (lines %s); cannot '
            'tell which' % (name, ', '.join(
                str(x) for x in common.lines_of(module, defs))))
    func = defs[0]
    func_line = common.lines_of(module, [func])[0]
    params = func.params
    positional = list(params.posonly_params) + list(params.params)
    params_named = [p.name.value for p in positional]
    index = params_named.index(name) if name in params_named else None
    method = bool(params_named) and params_named[0] in (
        'self', 'cls') and not any(
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
    new = module.deep_replace(func, new_func)
    callers = names.find(new, func_name)
    adjuster = _CallAdjuster(callers.attr_read if method else callers.read,
                             call_index, name, callers)
    new = new.visit(adjuster)
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
    """Drop one argument from the calls whose callee is in ``callees``.

    ``callees``: the Name nodes (from :mod:`names`) that spell the function
    at its call sites (``f`` or the ``f`` of ``self.f``).
    """

    def __init__(self, callees, call_index, param, uses):
        super(_CallAdjuster, self).__init__()
        self.callees = {id(node) for node in callees}
        self.call_index = call_index
        self.param = param
        self.uses = uses
        self.adjusted = []
        self.unadjusted = []

    def _callee(self, func):
        if isinstance(func, cst.Attribute):
            func = func.attr
        return func if id(func) in self.callees else None

    def leave_Call(self, original_node, updated_node):
        callee = self._callee(original_node.func)
        if callee is None:
            return updated_node
        line = self.uses.line(callee)
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
    lines = common.lines_of(module, stmts)
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
    lines = common.lines_of(module, stmts)
    replace = {}
    targets = []
    for stmt in stmts:
        small = stmt.body[0]
        kept = [a for a in small.names if names.alias_binds(a) != name]
        if not kept:
            targets.append(stmt)
            continue
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        replace[id(stmt)] = stmt.with_changes(
            body=[small.with_changes(names=kept)])
    new = module.visit(_Remover(targets, replace))
    return new, 'removed import of %s (line %s)' % (
        name, ', '.join(str(x) for x in lines))


def _references(module, name, kind, scope=None):
    """Lines where ``name`` is still read after a removal.

    ``scope``: the def the search is limited to (a removed parameter is
    only referenced inside its function).
    """
    try:
        uses = names.find(module, name, scope)
    except ValueError:
        uses = names.find(module, name)
    return uses.lines(uses.read + uses.attr_read)
