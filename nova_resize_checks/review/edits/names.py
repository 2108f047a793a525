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


"""Where one name is bound and used in the test.

Read from libcst's scope metadata (:class:`libcst.metadata.ScopeProvider`:
every assignment and access, by scope) plus what scopes do not cover:
attributes of ``self``, ``cls`` and the file's classes, and keyword
arguments of calls to the file's own functions.  Renames and removals both
ask this module, so that "a use of ``x``" means one thing.
"""

import dataclasses

import libcst as cst
from libcst import matchers as m
from libcst import metadata as meta


@dataclasses.dataclass
class Uses:
    """The nodes that spell ``name``, by role.

    ``bound``: the :class:`libcst.Name` nodes that bind it (targets, def and
    class names, parameters) and the import aliases that bind it;
    ``read``: the :class:`libcst.Name` nodes that read it;
    ``attr_bound``/``attr_read``: ``attr`` Names of ``self.name``,
    ``cls.name`` and ``Class.name`` attributes stored/read;
    ``keywords``: keyword Names of calls to the file's functions that take
    a parameter ``name``;
    ``outside``: with ``within``, the reads that resolve to a binding
    outside that def.
    """
    name: str
    bound: list = dataclasses.field(default_factory=list)
    read: list = dataclasses.field(default_factory=list)
    attr_bound: list = dataclasses.field(default_factory=list)
    attr_read: list = dataclasses.field(default_factory=list)
    keywords: list = dataclasses.field(default_factory=list)
    outside: list = dataclasses.field(default_factory=list)
    positions: dict = dataclasses.field(default_factory=dict, repr=False)
    parents: dict = dataclasses.field(default_factory=dict, repr=False)

    def nodes(self):
        return (self.bound + self.read + self.attr_bound + self.attr_read
                + self.keywords)

    def lines(self, nodes=None):
        nodes = self.nodes() if nodes is None else nodes
        return sorted({self.line(node) for node in nodes})

    def line(self, node):
        pos = self.positions.get(node)
        return pos.start.line if pos is not None else 0

    def parent(self, node):
        return self.parents.get(node)

    def is_bound(self):
        return bool(self.bound or self.attr_bound)


class _Resolved(object):
    """One module with its scope, context and position metadata."""

    def __init__(self, module):
        self.wrapper = meta.MetadataWrapper(module, unsafe_skip_copy=True)
        self.scopes = self.wrapper.resolve(meta.ScopeProvider)
        self.contexts = self.wrapper.resolve(meta.ExpressionContextProvider)
        self.positions = self.wrapper.resolve(meta.PositionProvider)
        self.parents = self.wrapper.resolve(meta.ParentNodeProvider)
        self.module = self.wrapper.module

    def all_scopes(self):
        seen = []
        for scope in self.scopes.values():
            if scope is not None and scope not in seen:
                seen.append(scope)
        return seen


def _binding_name(node, name):
    """The Name node(s) spelling ``name`` in an assignment's node."""
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
        return [node.name]
    if isinstance(node, (cst.Import, cst.ImportFrom)):
        if isinstance(node.names, cst.ImportStar):
            return []
        return [alias for alias in node.names if alias_binds(alias) == name]
    if isinstance(node, cst.ExceptHandler) and node.name is not None:
        return [node.name.name]
    return []


def alias_binds(alias):
    """The name an import alias binds (``a`` for ``import a.b``)."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _leftmost(node):
    while isinstance(node, (cst.Attribute, cst.Call, cst.Subscript)):
        node = node.value if not isinstance(node, cst.Call) else node.func
    return node if isinstance(node, cst.Name) else None


def _within(scope, outer):
    while scope is not None:
        if scope is outer:
            return True
        scope = scope.parent if scope.parent is not scope else None
    return False


def _enclosing_class_scope(scope):
    while scope is not None:
        if isinstance(scope, meta.ClassScope):
            return scope
        if scope.parent is scope:
            return None
        scope = scope.parent
    return None


def _takes(node, name):
    if not isinstance(node, cst.FunctionDef):
        return False
    params = node.params
    return any(p.name.value == name for p in (
        list(params.posonly_params) + list(params.params)
        + list(params.kwonly_params)))


def def_scope(resolved, def_name):
    """The FunctionScope of the one def called ``def_name`` (or None)."""
    found = m.findall(resolved.module, m.FunctionDef(name=m.Name(def_name)))
    if len(found) != 1:
        return None
    body = found[0].body
    first = body.body[0] if body.body else None
    scope = resolved.scopes.get(first) if first is not None else None
    return scope if isinstance(scope, meta.FunctionScope) else None


def resolve(module):
    """``module`` with its metadata resolved, to ask :func:`find` often."""
    return _Resolved(module)


def find(module, name, within=None):
    """The :class:`Uses` of ``name`` in ``module``.

    ``module``: a libcst Module, or what :func:`resolve` returned for one
    (the metadata is then not resolved again).  ``within``: a def name;
    only what lies in that def's scope (and scopes nested in it) is
    returned.  ``ValueError`` when no single def has that name.
    """
    resolved = module if isinstance(module, _Resolved) else \
        _Resolved(module)
    uses = Uses(name, positions=resolved.positions,
                parents=resolved.parents)
    limit = None
    if within:
        limit = def_scope(resolved, within)
        if limit is None:
            raise ValueError('no single def named %s' % within)
    for scope in resolved.all_scopes():
        if _in_limit(scope, limit):
            _scope_uses(uses, scope, limit)
    _attribute_uses(uses, resolved, limit)
    _keyword_uses(uses, resolved, limit)
    return uses


def _in_limit(scope, limit):
    return limit is None or _within(scope, limit)


def _scope_uses(uses, scope, limit):
    """The bindings and reads of ``uses.name`` that ``scope`` records."""
    name = uses.name
    for assignment in scope.assignments[name]:
        node = getattr(assignment, 'node', None)
        for found in _binding_name(node, name):
            if found not in uses.bound:
                uses.bound.append(found)
    # Every access: a dotted one (``os.path.sep`` after ``import
    # os.path``) is filed under its dotted name.
    for access in scope.accesses:
        found = _leftmost(access.node)
        if (found is None or found.value != name
                or found in uses.read):
            continue
        uses.read.append(found)
        if limit is not None and any(
                not _within(a.scope, limit) for a in access.referents):
            uses.outside.append(found)


def _attribute_uses(uses, resolved, limit):
    """``self.name``, ``cls.name`` and ``Class.name``, stored or read."""
    owners = {'self', 'cls'} | {
        node.name.value for node in m.findall(resolved.module,
                                              m.ClassDef())}
    for attr in m.findall(resolved.module, m.Attribute(
            value=m.Name(), attr=m.Name(uses.name))):
        if attr.value.value not in owners:
            continue
        if not _in_limit(resolved.scopes.get(attr), limit):
            continue
        if resolved.contexts.get(attr) == meta.ExpressionContext.STORE:
            uses.attr_bound.append(attr.attr)
        else:
            uses.attr_read.append(attr.attr)


def _keyword_uses(uses, resolved, limit):
    """``name=`` in calls to the file's own functions taking ``name``."""
    name = uses.name
    for call in m.findall(resolved.module, m.Call(args=[
            m.ZeroOrMore(), m.Arg(keyword=m.Name(name)), m.ZeroOrMore()])):
        scope = resolved.scopes.get(call)
        if not _in_limit(scope, limit):
            continue
        if _calls_local_def_taking(call, scope, name):
            uses.keywords.extend(arg.keyword for arg in call.args
                                 if m.matches(arg.keyword, m.Name(name)))


def _calls_local_def_taking(call, scope, name):
    """Whether ``call`` resolves to a def of this file with parameter."""
    if scope is None:
        return False
    func = call.func
    if isinstance(func, cst.Name):
        assignments = scope[func.value]
    elif m.matches(func, m.Attribute(value=m.Name('self') | m.Name('cls'))):
        klass = _enclosing_class_scope(scope)
        if klass is None:
            return False
        assignments = klass.assignments[func.attr.value]
    else:
        return False
    return any(_takes(getattr(a, 'node', None), name) for a in assignments)
