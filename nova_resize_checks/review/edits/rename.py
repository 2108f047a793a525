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


"""RENAME: a consistent rename of one identifier."""

import ast

import libcst as cst
from libcst import metadata as cst_metadata

from nova_resize_checks.review.edits import common


def _local_defs(module):
    """{function name: set of its parameter names} for defs in the file."""
    out = {}

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            params = node.params
            names = {p.name.value for p in (list(params.posonly_params)
                                            + list(params.params)
                                            + list(params.kwonly_params))}
            out.setdefault(node.name.value, set()).update(names)

    module.visit(Visitor())
    return out


def _call_target(func):
    if isinstance(func, cst.Name):
        return func.value
    if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            and func.value.value in ('self', 'cls')):
        return func.attr.value
    return None


class _Renamer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst_metadata.PositionProvider,)

    def __init__(self, old, new, owners, defs):
        super().__init__()
        self.old = old
        self.new = new
        self.owners = owners           # names whose attributes we rename
        self.defs = defs
        self.skip = set()
        self.lines = []

    def _skip_all(self, node):
        skip = self.skip

        class Marker(cst.CSTVisitor):
            def visit_Name(self, name):
                skip.add(id(name))

        node.visit(Marker())

    def visit_Attribute(self, node):
        if not (isinstance(node.value, cst.Name)
                and node.value.value in self.owners):
            self.skip.add(id(node.attr))

    def visit_Call(self, node):
        target = _call_target(node.func)
        rename_kw = target in self.defs and self.old in self.defs[target]
        for arg in node.args:
            if arg.keyword is not None and not rename_kw:
                self.skip.add(id(arg.keyword))

    def visit_ClassDef(self, node):
        for arg in node.keywords:
            if arg.keyword is not None:
                self.skip.add(id(arg.keyword))

    def visit_Import(self, node):
        for alias in node.names:
            self._skip_all(alias.name)
            if alias.asname is not None:
                self._skip_all(alias.asname)

    def visit_ImportFrom(self, node):
        if node.module is not None:
            self._skip_all(node.module)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._skip_all(alias.name)
                if alias.asname is not None:
                    self._skip_all(alias.asname)

    def leave_ImportAlias(self, original_node, updated_node):
        alias = updated_node
        if alias.asname is not None:
            target = alias.asname.name
            if isinstance(target, cst.Name) and target.value == self.old:
                self._record(original_node)
                return alias.with_changes(asname=alias.asname.with_changes(
                    name=cst.Name(self.new)))
            return alias
        if isinstance(alias.name, cst.Name) and alias.name.value == self.old:
            self._record(original_node)
            return alias.with_changes(asname=cst.AsName(
                name=cst.Name(self.new)))
        return alias

    def _record(self, node):
        try:
            pos = self.get_metadata(cst_metadata.PositionProvider, node)
            self.lines.append(pos.start.line)
        except KeyError:
            self.lines.append(0)

    def leave_Name(self, original_node, updated_node):
        if id(original_node) in self.skip or original_node.value != self.old:
            return updated_node
        self._record(original_node)
        return updated_node.with_changes(value=self.new)


def apply_rename(source, old, new):
    old = common.identifier(old, 'old name')
    new = common.identifier(new, 'new name')
    if old == new:
        raise common.Refused('old and new names are the same (%s)' % old)
    module = common.cst_parse(source)
    owners = {'self', 'cls'} | {
        node.name.value for node in walk_classes(module)}
    defs = _local_defs(module)
    clash = occurrences(module, new, owners)
    renamer = _Renamer(old, new, owners, defs)
    wrapper = cst_metadata.MetadataWrapper(module)
    result = wrapper.visit(renamer)
    if not renamer.lines:
        raise common.Refused('`%s` does not occur in the test' % old)
    lines = sorted(set(renamer.lines))
    reason = 'renamed %d occurrence(s) of %s to %s (lines %s)' % (
        len(renamer.lines), old, new, ', '.join(str(x) for x in lines))
    if not _binds(module, old):
        reason += '; note: %s is not defined in this file' % old
    if clash:
        reason += '; note: %s was already used at line(s) %s' % (
            new, ', '.join(str(x) for x in clash))
    return result.code, reason


def walk_classes(module):
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_ClassDef(self, node):
            found.append(node)

    module.visit(Visitor())
    return found


def occurrences(module, name, owners):
    """Lines where ``name`` occurs as a name or as ``self.name``."""
    lines = []
    wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst_metadata.PositionProvider)
    skip = set()

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, node):
            if not (isinstance(node.value, cst.Name)
                    and node.value.value in owners):
                skip.add(id(node.attr))

        def visit_Arg(self, node):
            if node.keyword is not None:
                skip.add(id(node.keyword))

        def visit_ImportFrom(self, node):
            if node.module is not None:
                node.module.visit(Marker())

        def visit_Name(self, node):
            if node.value == name and id(node) not in skip:
                pos = positions.get(node)
                lines.append(pos.start.line if pos else 0)

    class Marker(cst.CSTVisitor):
        def visit_Name(self, node):
            skip.add(id(node))

    module.visit(Visitor())
    return sorted(set(lines))


def _binds(module, name):
    """Whether the file defines, assigns, imports or takes ``name``."""
    try:
        tree = ast.parse(module.code)
    except (SyntaxError, ValueError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if (isinstance(node, ast.Name) and node.id == name
                and isinstance(node.ctx, ast.Store)):
            return True
        if (isinstance(node, ast.Attribute) and node.attr == name
                and isinstance(node.ctx, ast.Store)):
            return True
        if isinstance(node, ast.alias) and (
                node.asname or node.name.split('.')[0]) == name:
            return True
    return False
