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


"""The module's members a snippet shows whole: defs, classes, imports.

A def or class of the test shown again replaces it, keeping what it
repeats unchanged; a method shown under a new name with its body unchanged
is a rename (its callers follow); a new one is added to the test class or
the module; an import is added with libcst's AddImportsVisitor.
"""

import libcst as cst
from libcst import codemod as cst_codemod
from libcst.codemod import visitors as cst_codemod_visitors

from nova_resize_checks.review.edits import align
from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import layout
from nova_resize_checks.review.edits import rename


def is_import(node):
    return (isinstance(node, cst.SimpleStatementLine)
            and len(node.body) == 1
            and isinstance(node.body[0], (cst.Import, cst.ImportFrom)))


def apply_import(module, node):
    """Add the import statement ``node`` with libcst's AddImportsVisitor.

    It places the import with the module's others and skips what is
    already imported.  ``from x import *`` is refused.
    """
    wanted = common.ws_key(cst.Module(body=[]).code_for_node(
        node.with_changes(leading_lines=[])))
    context = cst_codemod.CodemodContext()
    for small in node.body:
        if isinstance(small, cst.Import):
            for alias in small.names:
                cst_codemod_visitors.AddImportsVisitor.add_needed_import(
                    context, _dotted_name(alias.name),
                    asname=_alias_name(alias))
            continue
        if isinstance(small.names, cst.ImportStar):
            raise common.Refused('a star import (%s) is not added' % wanted)
        module_name = _dotted_name(small.module) if small.module else ''
        for alias in small.names:
            cst_codemod_visitors.AddImportsVisitor.add_needed_import(
                context, module_name, obj=_dotted_name(alias.name),
                asname=_alias_name(alias), relative=len(small.relative))
    new = cst_codemod_visitors.AddImportsVisitor(context).transform_module(
        module)
    if new.code == module.code:
        return module, 'import already present: %s' % wanted
    return new, 'added import: %s' % wanted


def _dotted_name(node):
    return cst.Module(body=[]).code_for_node(node)


def _alias_name(alias):
    return alias.asname.name.value if alias.asname else None


def test_class(module):
    classes = [s for s in module.body if isinstance(s, cst.ClassDef)]
    for cls in classes:
        if cls.name.value == common.CANONICAL_CLASS:
            return cls
    if len(classes) == 1:
        return classes[0]
    for cls in classes:
        for stmt in cls.body.body:
            if (isinstance(stmt, cst.FunctionDef)
                    and stmt.name.value.startswith('test')):
                return cls
    return classes[0] if classes else None


def members(cls, kind):
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    return [s for s in body if isinstance(s, kind)]


def _is_method_like(func):
    params = list(func.params.posonly_params) + list(func.params.params)
    if params and params[0].name.value in ('self', 'cls'):
        return True
    for deco in func.decorators:
        name = deco.decorator
        if isinstance(name, cst.Name) and name.value in (
                'staticmethod', 'classmethod'):
            return True
    return False


def _keep_unchanged(old, new):
    """Keep ``old``'s statements (and their comments) that ``new`` repeats.

    Top-level statements of the two bodies are aligned; where a statement of
    ``new`` is identical (``ast``) to its partner in ``old``, ``old``'s node
    is kept so that untouched code keeps its exact form.
    """
    if not (isinstance(old, (cst.FunctionDef, cst.ClassDef))
            and isinstance(new, type(old))
            and isinstance(old.body, cst.IndentedBlock)
            and isinstance(new.body, cst.IndentedBlock)):
        return new
    blank = cst.Module(body=[])

    def stmts(nodes):
        out = []
        for number, node in enumerate(nodes):
            dump, shape, loose = align.analyse(blank, node)
            out.append(align.Stmt(-1, number, node, 0, dump, shape, loose))
        return out

    olds = stmts(old.body.body)
    news = stmts(new.body.body)
    body = list(new.body.body)
    for j, (p, grade) in align.align(news, olds, 0, 0).items():
        if grade == 3:
            body[j] = olds[p].node
    return new.with_changes(body=new.body.with_changes(body=body))


def _def_names(node):
    return {s.name.value for s in members(node, cst.FunctionDef)}


def apply_def(module, node, statements):
    """Apply def or class ``node`` shown whole by a snippet.

    ``statements(module, piece, block)``: how a run of plain statements
    inside a class shown in part is applied (the snippet applier).
    """
    name = node.name.value
    what = 'class' if isinstance(node, cst.ClassDef) else 'def'
    kind = type(node)
    test_cls = test_class(module)
    top_matches = [s for s in module.body
                   if isinstance(s, kind) and s.name.value == name]
    in_class = []
    if test_cls is not None:
        in_class = [s for s in members(test_cls, kind)
                    if s.name.value == name]
    if len(top_matches) + len(in_class) > 1:
        raise common.Refused('%s %s is defined more than once; cannot tell '
                             'which to replace' % (what, name))
    if top_matches:
        return _replace_def(module, top_matches[0], node, name, what, None,
                            statements)
    if in_class:
        return _replace_def(module, in_class[0], node, '%s.%s' % (
            test_cls.name.value, name), what, test_cls, statements)
    return _add_def(module, node, name, what, test_cls)


def _replace_def(module, old, node, label, what, test_cls, statements):
    """``node`` in place of ``old`` (a top-level one when no test_cls)."""
    line = common.lines_of(module, [old])[0]
    if common.normalize(layout.code_of(node)) == common.normalize(
            layout.code_of(old)):
        return module, '%s %s (line %d) is identical (no change)' % (
            what, label, line)
    if (test_cls is None and isinstance(node, cst.ClassDef)
            and not _def_names(old) <= _def_names(node)):
        return _merge_class(module, old, node, statements)
    indent = '' if test_cls is None else layout.block_indent(
        module, test_cls.body)
    new = layout.statements_at(layout.code_of(node), indent)[0]
    new = _keep_unchanged(old, layout.keep_leading(new, old))
    return (module.deep_replace(old, new),
            'replaced %s %s (line %d)' % (what, label, line))


def _add_def(module, node, name, what, test_cls):
    """A def or class not in the test yet.

    A method of ours under a new name is a rename (its callers follow); a
    method is added to the test class; anything else to the module.
    """
    if test_cls is not None and isinstance(node, cst.FunctionDef):
        renamed = _renamed_from(test_cls, node)
        if renamed is not None:
            code, reason = rename.apply_rename(module.code, renamed, name)
            return common.cst_parse(code), reason + (
                ' (def %s shown under a new name, its body unchanged)'
                % renamed)
        if _is_method_like(node):
            indent = layout.block_indent(module, test_cls.body)
            new = layout.statements_at(layout.code_of(node), indent)[0]
            new = new.with_changes(leading_lines=[common.BLANK] + [
                line for line in new.leading_lines if line.comment])
            body = list(test_cls.body.body) + [new]
            new_cls = test_cls.with_changes(
                body=test_cls.body.with_changes(body=body))
            return (module.deep_replace(test_cls, new_cls),
                    'added method %s to %s' % (name, test_cls.name.value))
    new = layout.statements_at(layout.code_of(node), '')[0]
    new = new.with_changes(leading_lines=[common.BLANK, common.BLANK]
                           + [line for line in new.leading_lines
                              if line.comment])
    return (module.with_changes(body=list(module.body) + [new]),
            'added %s %s at module level' % (what, name))


def _renamed_from(cls, node):
    """The one method of ``cls`` that ``node`` is, but for its name.

    Same parameters, decorators and statements (comments and layout
    aside); None when no method or more than one is.
    """
    found = [member.name.value for member in members(cls, cst.FunctionDef)
             if common.normalize(layout.code_of(node.with_changes(
                 name=member.name))) == common.normalize(
                     layout.code_of(member))]
    return found[0] if len(found) == 1 else None


def _merge_class(module, old, node, statements):
    """Apply a partial class member by member; keeps the class header."""
    reasons = []
    cls_name = old.name.value
    for member in members(node, cst.BaseStatement):
        current = [s for s in module.body
                   if isinstance(s, cst.ClassDef) and s.name.value == cls_name]
        cls = current[0]
        if isinstance(member, cst.FunctionDef):
            module, reason = _apply_member_def(module, cls, member)
        elif common.is_docstring(member):
            reason = 'kept the docstring of %s' % cls_name
        elif _attribute_of(member) and len(_attributes(
                cls, _attribute_of(member))) == 1:
            # ``compute_driver = ...``: a class attribute is known by its
            # name; the listing's value is its new form.
            module, reason = _replace_attribute(module, cls, member)
        else:
            piece = layout.code_of(member)
            module, reason = statements(module, piece, cls.body)
        reasons.append(reason)
    missing = sorted(_def_names(old) - _def_names(node))
    reasons.append('kept the header of class %s and its methods the snippet '
                   'does not show (%s)' % (cls_name, ', '.join(missing)))
    return module, '; '.join(reasons)


def _attribute_of(member):
    """The name a class-level ``name = value`` statement binds, or None."""
    if not isinstance(member, cst.SimpleStatementLine) or \
            len(member.body) != 1:
        return None
    stmt = member.body[0]
    targets = getattr(stmt, 'targets', None)
    if isinstance(stmt, cst.Assign) and len(targets) == 1 and \
            isinstance(targets[0].target, cst.Name):
        return targets[0].target.value
    if isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target,
                                                      cst.Name):
        return stmt.target.value
    return None


def _attributes(cls, name):
    return [s for s in members(cls, cst.BaseStatement)
            if _attribute_of(s) == name]


def _replace_attribute(module, cls, member):
    name = _attribute_of(member)
    old = _attributes(cls, name)[0]
    if common.normalize(layout.code_of(member)) == common.normalize(
            layout.code_of(old)):
        return module, 'class attribute %s is identical (no change)' % name
    indent = layout.block_indent(module, cls.body)
    new = layout.statements_at(layout.code_of(member), indent)[0]
    return (module.deep_replace(old, layout.keep_leading(new, old)),
            'replaced class attribute %s.%s' % (cls.name.value, name))


def _apply_member_def(module, cls, member):
    name = member.name.value
    indent = layout.block_indent(module, cls.body)
    new = layout.statements_at(layout.code_of(member), indent)[0]
    olds = [s for s in members(cls, cst.FunctionDef) if s.name.value == name]
    if len(olds) > 1:
        raise common.Refused('method %s is defined more than once in %s'
                             % (name, cls.name.value))
    if olds:
        return (module.deep_replace(olds[0],
                                    layout.keep_leading(new, olds[0])),
                'replaced method %s.%s' % (cls.name.value, name))
    new = new.with_changes(leading_lines=[common.BLANK] + [
        line for line in new.leading_lines if line.comment])
    body = list(cls.body.body) + [new]
    return (module.deep_replace(cls, cls.with_changes(
        body=cls.body.with_changes(body=body))),
        'added method %s to %s' % (name, cls.name.value))
