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


"""The static gate's rules for calls.

``open()`` (reading only, outside a temp dir), ``getattr()`` & co.
(literal, safe attribute names), tempfile's names and directories,
``logging.basicConfig`` (no files or streams), ``**kwargs`` that cannot be
checked, and the targets that ``mock.patch`` & co. will import.  The
rules are methods of :class:`CallRules`, which :class:`.scanner.Scanner`
inherits; the two literal helpers serve the scanner too.
"""

import _string
import ast
import string

from nova_resize_checks.review.gate import modules
from nova_resize_checks.review.gate import policy


def format_problem(template):
    """Why a ``str.format`` template reaches where code may not, or None.

    A replacement field walks attributes and items of its argument
    (``'{0.__closure__[0].cell_contents}'.format(f)``): the same reach as
    the attribute nodes the gate checks, written inside a string.  Every
    attribute a field (or a field nested in a format spec) names is held
    to the attribute rules, and a private one (``_x``) is refused too.
    """
    todo = [template]
    while todo:
        text = todo.pop()
        try:
            parsed = list(string.Formatter().parse(text))
        except (ValueError, TypeError):
            return 'a format string that does not parse'
        for _literal, field, spec, _conversion in parsed:
            if spec:
                todo.append(spec)
            if not field:
                continue
            try:
                _first, rest = _string.formatter_field_name_split(field)
                chain = list(rest)
            except (ValueError, TypeError):
                return 'a format field that does not parse'
            for is_attr, name in chain:
                if is_attr and (name in policy.DANGEROUS_ATTRS or
                                policy.bad_dunder(name) or
                                name.startswith('_')):
                    return 'format field {%s} reaches .%s' % (
                        field[:60], name)
    return None


def literal_str(node):
    """The text of a str or bytes literal (bytes as latin-1), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value,
                                                     (str, bytes)):
        value = node.value
        if isinstance(value, bytes):
            value = value.decode('latin-1')
        return value
    return None


def in_temp(path):
    """Whether literal ``path`` lies under a temp directory."""
    return (path.startswith(policy.TEMP_PREFIXES)
            and '..' not in path.replace('\\', '/').split('/'))


def last_name(node):
    """The last name of ``node``: ``patch`` for ``mock.patch``, or None."""
    return (node.attr if isinstance(node, ast.Attribute)
            else getattr(node, 'id', None))


class CallRules(object):
    """The call rules of :class:`.scanner.Scanner` (its ``_call``).

    They use the scanner's ``_flag``, ``_qualified``, ``_segment``,
    ``bindings`` and ``parents``.
    """

    def _call(self, node):
        """Every check of one call: its keywords, then by what it calls."""
        func = node.func
        self._keywords(node)
        if isinstance(func, ast.Name) and func.id not in self.bindings:
            if func.id == 'open':
                self._open(node)
            elif func.id in ('getattr', 'setattr', 'delattr'):
                self._getattr(node, func.id)
        qualified = self._qualified(func)
        self._stack_arguments(node, qualified)
        if qualified:
            if qualified.startswith('tempfile.'):
                self._temp_dir_kw(node, 'dir', qualified)
                self._temp_names(node, qualified)
            elif qualified == 'logging.basicConfig':
                for kw in node.keywords:
                    if kw.arg in ('filename', 'handlers', 'stream'):
                        self._flag(node, 'call', 'logging.basicConfig(%s=) '
                                   'is not allowed' % kw.arg)
        self._import_target(node)

    def _keywords(self, node):
        """Keyword arguments a call may not be given.

        ``**kwargs`` that cannot be checked, stack keywords, and a
        ``{``-style logging template (formatted with str.format).
        """
        for kw in node.keywords:
            if kw.arg is None and not self._own_kwargs(node, kw.value):
                self._flag(node, 'call', 'keyword arguments unpacked from '
                           '**%s cannot be checked' % self._segment(kw.value))
            elif kw.arg in policy.STACK_KEYWORDS:
                self._flag(node, 'call', '%s= puts the call stack into '
                           'data' % kw.arg)
            elif kw.arg == 'style' and literal_str(kw.value) == '{':
                template = literal_str(node.args[0]) if node.args else None
                problem = 'a {-style template that is not a literal' \
                    if template is None else format_problem(template)
                if problem:
                    self._flag(node, 'call', problem)

    def _stack_arguments(self, node, qualified):
        """The warnings machinery's stack arguments, by position or name."""
        for position, keyword in policy.STACK_ARGUMENTS.get(qualified, ()):
            if len(node.args) > position or any(
                    kw.arg == keyword for kw in node.keywords):
                self._flag(node, 'call', '%s() with %s puts the call stack '
                           'into data' % (qualified, keyword))

    def _open(self, node):
        args = node.args
        kwargs = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        if any(kw.arg is None for kw in node.keywords) or any(
                isinstance(a, ast.Starred) for a in args):
            self._flag(node, 'open', 'open() with unpacked arguments')
            return
        path = args[0] if args else kwargs.get('file')
        mode = args[1] if len(args) > 1 else kwargs.get('mode')
        if 'opener' in kwargs:
            self._flag(node, 'open', 'open() with an opener')
            return
        literal_path = literal_str(path) if path is not None else None
        if mode is not None:
            literal_mode = literal_str(mode)
            if literal_mode is None:
                self._flag(node, 'open', 'open() with a mode that is not a '
                           'literal')
                return
            if any(c in literal_mode for c in 'wax+'):
                self._flag(node, 'open', 'open() for writing (mode %r)'
                           % literal_mode)
                return
        if literal_path is not None and literal_path.startswith(('/', '~')):
            if not in_temp(literal_path):
                self._flag(node, 'open', 'open() of %r, outside a temp dir'
                           % literal_path[:80])

    def _getattr(self, node, name):
        args = node.args
        if len(args) < 2 or any(isinstance(a, ast.Starred) for a in args):
            if any(isinstance(a, ast.Starred) for a in args) or (
                    node.keywords):
                self._flag(node, 'getattr', '%s() with unpacked arguments'
                           % name)
            return
        target, attr_node = args[0], args[1]
        attr = literal_str(attr_node)
        if attr is None:
            self._flag(node, 'getattr', '%s() with an attribute name that is '
                       'not a literal' % name)
            return
        if attr in policy.DANGEROUS_ATTRS or policy.bad_dunder(attr):
            self._flag(node, 'getattr', '%s() of .%s is not allowed'
                       % (name, attr))
            return
        owner = self._qualified(target)
        if owner is not None:
            problem = modules.attr_problem(owner, attr)
            if problem:
                self._flag(node, 'getattr', problem)
            elif name != 'getattr' and owner in policy.RESTRICTED_MODULES:
                self._flag(node, 'getattr', '%s() on module %s'
                           % (name, owner))
            elif '%s.%s' % (owner, attr) in policy.CONTAINERS:
                self._flag(node, 'getattr', '%s() of %s.%s (use it directly)'
                           % (name, owner, attr))

    def _own_kwargs(self, node, value):
        """``**name`` passing on the enclosing function's own ``**name``."""
        if not isinstance(value, ast.Name):
            return False
        parent = self.parents.get(node)
        while parent is not None and not isinstance(
                parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parent = self.parents.get(parent)
        return (parent is not None and parent.args.kwarg is not None and
                parent.args.kwarg.arg == value.id)

    def _temp_names(self, node, qualified):
        """tempfile names: no positional arguments, plain prefix/suffix."""
        if node.args:
            self._flag(node, 'call', '%s() with positional arguments (they '
                       'can name a directory)' % qualified)
        for kw in node.keywords:
            if kw.arg in ('prefix', 'suffix'):
                value = literal_str(kw.value)
                if value is None or '/' in value or '\\' in value or \
                        '..' in value or '\x00' in value:
                    self._flag(node, 'call', '%s(%s=...) must be a plain '
                               'literal name' % (qualified, kw.arg))

    def _temp_dir_kw(self, node, keyword, qualified):
        for kw in node.keywords:
            if kw.arg == keyword:
                value = literal_str(kw.value)
                if value is None or not in_temp(value):
                    self._flag(node, 'call', '%s(%s=...) outside a temp dir'
                               % (qualified, keyword))

    def _import_target(self, node):
        """Strings that mock.patch & co. will import must be known."""
        func = node.func
        name = last_name(func)
        index = _target_index(func, name)
        if index is None:
            return
        if len(node.args) <= index:
            return
        arg = node.args[index]
        if name in ('dict', 'multiple') and not isinstance(arg,
                                                           ast.Constant):
            return      # an object: its own checks apply
        target = literal_str(arg)
        if target is None:
            self._flag(node, 'import-target', '%s() with a target that is '
                       'not a literal' % name)
            return
        problem = _target_problem(name, target.strip())
        if problem:
            self._flag(node, 'import-target', problem)


def _target_index(func, name):
    """Which argument of a call to ``func`` (``name``) names an import."""
    if name in policy.IMPORTING_CALLS:
        return 0
    if name in policy.IMPORTING_CALLS_ARG1:
        return 1
    if name in ('dict', 'multiple') and isinstance(
            func, ast.Attribute) and last_name(func.value) == 'patch':
        return 0
    return None


def _target_problem(name, target):
    """Why ``name()`` may not import or replace ``target``, or None."""
    top = target.split('.')[0]
    if any(policy.bad_dunder(part) for part in target.split('.')[1:]):
        return '%s() reaches %s' % (name, target)
    if top not in policy.PATCH_TOPS:
        return '%s() would import %r' % (name, top)
    if any(target == f or target.startswith(f + '.')
           for f in policy.FORBIDDEN_PATCH):
        return '%s() replaces %s' % (name, target)
    return None
