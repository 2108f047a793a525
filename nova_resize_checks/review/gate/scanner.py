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


"""The static gate's walk over one module's ``ast``: each node against
the rules of :mod:`.policy`.

The walk and the rules for imports, names, attributes and containers
(``os.environ``) are here; the rules for calls are :mod:`.calls`, and
which module paths may be imported or reached is :mod:`.modules`.
"""

import ast
import sys

from nova_resize_checks.review.gate import calls
from nova_resize_checks.review.gate import modules
from nova_resize_checks.review.gate import policy


class Unreadable(Exception):
    """The code parsed but cannot be checked."""


# What a container rule returns for a use it allows.
_ALLOWED = object()


class Scanner(calls.CallRules):
    """One pass over a parsed tree; collects (line, rule, detail, message)."""

    def __init__(self, source, tree):
        self.source = source
        self.tree = tree
        self.found = []
        self.parents = {}
        self.nodes = []
        self.bindings = {}     # name -> qualified module path
        # Names bound to a refused module a test may not use at all
        # (``import inspect``): every use of them is a finding of its own,
        # so that a patch of a nova file that already imports the module
        # (the original's findings are the baseline) cannot use it anew.
        self.refused_modules = set()

    # -- plumbing

    def run(self):
        stack = [self.tree]
        while stack:
            node = stack.pop()
            self.nodes.append(node)
            if len(self.nodes) > policy.MAX_NODES:
                raise Unreadable('code has more than %d syntax nodes'
                                 % policy.MAX_NODES)
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
                stack.append(child)
        self.nodes.reverse()
        self.nodes.sort(key=lambda n: (getattr(n, 'lineno', 0),
                                       getattr(n, 'col_offset', 0)))
        for node in self.nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._import(node)
        self._unbound_modules()
        for node in self.nodes:
            if isinstance(node, ast.Name):
                self._name(node)
            elif isinstance(node, ast.Attribute):
                self._attribute(node)
            elif isinstance(node, ast.Call):
                self._call(node)
        return self.found

    def _unbound_modules(self):
        """Read a name spelled like a stdlib module and bound nowhere as it.

        ``dict(os.environ)`` in code that never imports ``os`` fails with
        a NameError here, but the code means the module (the review may
        ask for the import in prose, or the test may get it elsewhere):
        failing closed, the gate judges it as the module.
        """
        bound = set(self.bindings)
        for node in self.nodes:
            if isinstance(node, ast.Name) and not isinstance(node.ctx,
                                                             ast.Load):
                bound.add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                   ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                bound.update(node.names)
        modules = set(getattr(sys, 'stdlib_module_names', ())) | set(
            policy.RESTRICTED_MODULES)
        for node in self.nodes:
            if isinstance(node, ast.Name) and node.id not in bound and \
                    node.id in modules:
                self.bindings[node.id] = node.id

    def _segment(self, node):
        # ast.get_source_segment splits the whole source on every call,
        # which is slow on nova-sized files; split once and slice.
        if getattr(self, '_lines', None) is None:
            self._lines = self.source.splitlines(True)
        try:
            first, last = node.lineno - 1, node.end_lineno - 1
            if first == last:
                text = self._lines[first].encode()[
                    node.col_offset:node.end_col_offset].decode(
                        'utf-8', 'replace')
            else:
                text = ''.join(
                    [self._lines[first].encode()[node.col_offset:].decode(
                        'utf-8', 'replace')] + self._lines[first + 1:last] +
                    [self._lines[last].encode()[:node.end_col_offset].decode(
                        'utf-8', 'replace')])
        except Exception:
            text = ''
        text = ' '.join(text.split())
        return text if len(text) <= 120 else text[:117] + '...'

    def _flag(self, node, rule, message, detail=None):
        line = getattr(node, 'lineno', 0) or 0
        if detail is None:
            detail = self._segment(node)
        self.found.append((line, rule, detail, message))

    def _qualified(self, node):
        """Module path an expression stands for, when rooted in an import."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.bindings:
            return None
        parts.append(self.bindings[node.id])
        return '.'.join(reversed(parts))

    # -- imports

    def _import(self, node):
        if isinstance(node, ast.Import):
            for alias in node.names:
                problem = modules.import_problem(alias.name)
                if not problem and alias.name.split('.')[0] == \
                        'nova_resize_checks' and (
                            alias.asname is None or
                            alias.name == 'nova_resize_checks'):
                    # "import nova_resize_checks" binds the package, and
                    # through it (or a copy of the name) every module of
                    # it: only its allowed modules, by name (round 11).
                    problem = ('import of the package %s is not allowed '
                               '(from nova_resize_checks import base)'
                               % alias.name)
                if problem:
                    self._flag(node, 'import', problem, alias.name)
                bound = alias.asname or alias.name.split('.')[0]
                self.bindings[bound] = alias.name if alias.asname else bound
                if problem and alias.name.split('.')[0] in \
                        policy.DANGEROUS_ATTRS:
                    self.refused_modules.add(bound)
            return
        if node.level:
            self._flag(node, 'import', 'relative import is not allowed',
                       '.' * node.level + (node.module or ''))
            return
        module = node.module or ''
        problem = modules.import_problem(module)
        if problem:
            self._flag(node, 'import', problem, module)
            return
        for alias in node.names:
            if alias.name == '*':
                self._flag(node, 'import', 'import * from %s is not allowed'
                           % module, module + '.*')
                continue
            problem = modules.attr_problem(module, alias.name)
            if not problem and alias.name in policy.DANGEROUS_ATTRS:
                problem = '%s.%s is not allowed' % (module, alias.name)
            if problem:
                self._flag(node, 'import', problem,
                           '%s.%s' % (module, alias.name))
            self.bindings[alias.asname or alias.name] = '%s.%s' % (
                module, alias.name)

    # -- names

    def _name(self, node):
        name = node.id
        parent = self.parents.get(node)
        if name in policy.DENIED_BUILTINS:
            self._flag(node, 'builtin', 'use of %s is not allowed' % name,
                       name)
            return
        if name in policy.CALL_ONLY_BUILTINS and name not in self.bindings:
            if not (isinstance(parent, ast.Call) and parent.func is node):
                self._flag(node, 'builtin', '%s used as a value (only direct '
                           'calls can be checked)' % name, name)
            return
        qualified = self.bindings.get(name)
        if qualified is None:
            return
        if name in self.refused_modules and not (
                isinstance(parent, ast.Attribute) and parent.value is node):
            self._flag(node, 'module-value', 'module %s used as a value (a '
                       'module a test may not use)' % qualified)
            return
        if qualified in policy.CONTAINERS:
            self._container(node, qualified)
        elif qualified in policy.RESTRICTED_MODULES:
            self._module_value(node, qualified)

    def _module_value(self, node, qualified):
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return
        if self._patch_object_target(node, parent):
            return
        self._flag(node, 'module-value', 'module %s used as a value (only '
                   'its attributes may be used)' % qualified)

    def _patch_object_target(self, node, parent):
        if not (isinstance(parent, ast.Call) and parent.args
                and parent.args[0] is node and len(parent.args) >= 2):
            return False
        func = parent.func
        if not (isinstance(func, ast.Attribute) and func.attr == 'object'):
            return False
        owner_name = calls.last_name(func.value)
        attr = calls.literal_str(parent.args[1])
        qualified = self._qualified(node)
        return (owner_name == 'patch' and attr is not None
                and not attr.startswith('_')
                and '%s.%s' % (qualified, attr) not in policy.FORBIDDEN_PATCH)

    # -- attributes

    def _attribute(self, node):
        attr = node.attr
        if attr in policy.DANGEROUS_ATTRS or policy.bad_dunder(attr):
            self._flag(node, 'attribute', 'access to .%s is not allowed'
                       % attr)
            return
        if attr in ('format', 'format_map'):
            template = calls.literal_str(node.value)
            problem = ('.%s of a string that is not a literal (its fields '
                       'cannot be checked)' % attr if template is None
                       else calls.format_problem(template))
            if problem:
                self._flag(node, 'attribute', problem)
                return
        root = _root_name(node)
        if root in self.refused_modules:
            self._flag(node, 'attribute', 'use of %s (a module a test may '
                       'not use)' % self._segment(node))
            return
        owner = self._qualified(node.value)
        if owner is not None:
            problem = modules.attr_problem(owner, attr)
            if problem:
                self._flag(node, 'attribute', problem)
                return
            if (not isinstance(node.ctx, ast.Load)
                    and owner in policy.RESTRICTED_MODULES):
                self._flag(node, 'attribute', 'writes %s.%s' % (owner, attr))
                return
        qualified = self._qualified(node)
        if qualified in policy.CONTAINERS:
            self._container(node, qualified)

    def _container(self, node, qualified):
        """Containers: read ``os.environ`` one variable at a time only.

        The first of the container rules that decides a use decides it:
        it returns :data:`_ALLOWED`, or the node to flag and the message.
        A use no rule decides may modify the container.
        """
        parent = self.parents.get(node)
        for rule in (self._container_write, self._container_method,
                     self._container_membership, self._container_whole,
                     self._container_passed):
            decided = rule(node, parent, qualified)
            if decided is not None:
                break
        else:
            decided = (node, '%s used where it may be modified' % qualified)
        if decided is not _ALLOWED:
            self._flag(decided[0], 'container', decided[1])

    def _container_write(self, node, parent, qualified):
        """``os.environ = ...``, ``os.environ[k] = ...``; ``[k]`` reads."""
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx,
                                                              ast.Load):
            return node, 'writes %s' % qualified
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if isinstance(parent.ctx, ast.Load):
                return _ALLOWED
            return parent, 'writes %s' % qualified
        return None

    def _container_method(self, node, parent, qualified):
        """A method of the container: only its readers, called."""
        if not (isinstance(parent, ast.Attribute) and parent.value is node):
            return None
        whole = qualified in policy.SECRET_CONTAINERS
        grand = self.parents.get(parent)
        readers = policy.KEY_READERS if whole else policy.CONTAINER_READERS
        if (parent.attr in readers
                and isinstance(grand, ast.Call) and grand.func is parent):
            return _ALLOWED
        if whole:
            return parent, ('%s.%s reads %s as a whole (it may hold '
                            'credentials)' % (qualified, parent.attr,
                                              qualified))
        return parent, '%s.%s may modify %s' % (qualified, parent.attr,
                                                qualified)

    def _container_membership(self, node, parent, qualified):
        """``k in os.environ`` (and ``not in``)."""
        if isinstance(parent, ast.Compare) and node in parent.comparators:
            if all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
                return _ALLOWED
        return None

    def _container_whole(self, node, parent, qualified):
        """Any other use of a container that may hold credentials."""
        if qualified not in policy.SECRET_CONTAINERS:
            return None
        # One variable may be read; the whole environment (where the
        # caller's credentials live) may not be copied, listed,
        # iterated or passed anywhere.
        return node, ('%s read as a whole (it may hold credentials); read '
                      'single variables only' % qualified)

    def _container_passed(self, node, parent, qualified):
        """Iterated, or passed to a consumer that does not modify it."""
        if isinstance(parent, (ast.For, ast.comprehension)) and (
                parent.iter is node):
            return _ALLOWED
        if isinstance(parent, ast.Call) and node in parent.args:
            func = parent.func
            name = (func.id if isinstance(func, ast.Name)
                    else self._qualified(func))
            if name in policy.SAFE_CONSUMERS and name not in self.bindings:
                return _ALLOWED
            if name in ('copy.copy', 'copy.deepcopy'):
                return _ALLOWED
        return None


def _root_name(node):
    """The name an attribute chain starts from (``a`` of ``a.b.c``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
