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


"""TEST_SNIPPET.

Defs, classes and statements anchored in the test by content.
"""

import ast
import dataclasses
import difflib
import re
import textwrap
import typing

import libcst as cst
from libcst import codemod as cst_codemod
from libcst.codemod import visitors as cst_codemod_visitors
from libcst import metadata as cst_metadata

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import rename
from nova_resize_checks.review.read import texts


_ELISION = re.compile(
    r'^\s*#\s*(?:(?:\.\.\.|\u2026)\s*$'
    r'|.*\b(?:unchanged|omitted|as before|same as (?:before|above)'
    r'|existing code|rest of (?:the )?(?:code|test|method|function|file|'
    r'class)|remains? the same|snip)\b)', re.I)


def _snippet_text(code):
    """Dedent a snippet until it parses; returns the text."""
    text = code.replace('\r\n', '\n').replace('\r', '\n')
    lines = text.split('\n')
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise common.Refused('the snippet is empty')
    text = '\n'.join(lines) + '\n'
    attempts = [textwrap.dedent(text)]
    rest = textwrap.dedent('\n'.join(lines[1:]))
    first = lines[0].strip()
    attempts.append(first + '\n' + rest + '\n')
    if first.endswith(':'):
        attempts.append(first + '\n' +
                        textwrap.indent(rest, common.TEMP_INDENT) + '\n')
    error = None
    for attempt in attempts:
        try:
            common.cst_parse(attempt)
            return attempt
        except cst.ParserSyntaxError as exc:
            error = error or str(exc).splitlines()[0]
        except (SyntaxError, ValueError) as exc:
            error = error or str(exc)
    raise common.Refused('the snippet does not parse: %s' %
                         texts.short(error, 160))


def _statements_at(text, indent):
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


def _has_comment(node):
    return any(line.comment for line in getattr(node, 'leading_lines', ()))


class _Layout(cst.CSTVisitor):
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


@dataclasses.dataclass
class _Stmt:
    block: int
    index: int
    node: typing.Any
    line: int
    dump: typing.Optional[str]
    shape: typing.Any
    loose: typing.Any
    code: str = ''


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return '.'.join(reversed(parts))
    return None


def _value_shape(value):
    if isinstance(value, ast.Call):
        name = _dotted(value.func) or ast.dump(value.func)
        positional = len([a for a in value.args
                          if not isinstance(a, ast.Starred)])
        return ('call', name, positional)
    if isinstance(value, ast.Await):
        return ('await', _value_shape(value.value))
    return (type(value).__name__,)


def _keys(statements):
    """(shape, loose) keys of one statement, as parsed by ``ast``."""
    if len(statements) != 1:
        return None, None
    stmt = statements[0]
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call):
            shape = _value_shape(value)
            return shape, shape[:2]
        return None, None
    if isinstance(stmt, ast.Assign):
        targets = tuple(ast.dump(t) for t in stmt.targets)
        return (('assign', targets, _value_shape(stmt.value)),
                ('assign', targets))
    if isinstance(stmt, ast.AnnAssign):
        target = (ast.dump(stmt.target),)
        value = _value_shape(stmt.value) if stmt.value else None
        return ('assign', target, value), ('assign', target)
    if isinstance(stmt, ast.AugAssign):
        target = ast.dump(stmt.target)
        return (('augassign', target, type(stmt.op).__name__,
                 _value_shape(stmt.value)), ('augassign', target))
    if isinstance(stmt, ast.Return):
        value = _value_shape(stmt.value) if stmt.value else None
        return ('return', value), ('return',)
    if isinstance(stmt, ast.Assert):
        return ('assert', _value_shape(stmt.test)), None
    if isinstance(stmt, ast.Raise):
        value = _value_shape(stmt.exc) if stmt.exc else None
        return ('raise', value), ('raise',)
    if isinstance(stmt, ast.Delete):
        return ('del', tuple(ast.dump(t) for t in stmt.targets)), None
    if isinstance(stmt, (ast.If, ast.While)):
        return ((type(stmt).__name__, ast.dump(stmt.test)),
                (type(stmt).__name__, _value_shape(stmt.test)))
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return (('for', ast.dump(stmt.target), ast.dump(stmt.iter)),
                ('for', ast.dump(stmt.target)))
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return (('with', tuple(ast.dump(i.context_expr)
                               for i in stmt.items)),
                ('with', tuple(_value_shape(i.context_expr)
                               for i in stmt.items)))
    if isinstance(stmt, ast.Try) and stmt.body:
        inner, _loose = _keys(stmt.body[:1])
        return (('try', inner), None) if inner else (None, None)
    return None, None


def _describe(module_or_code, node):
    code = module_or_code.code_for_node(node) if node is not None else ''
    lines = [line.strip() for line in code.split('\n')
             if line.strip() and not line.strip().startswith('#')]
    return texts.short(lines[0] if lines else code, 70)


def _stmt_ast(code):
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return None
    common.drop_docstrings(tree)
    return tree.body


def _analyse(source_module, node):
    parsed = _stmt_ast(source_module.code_for_node(node))
    if parsed is None:
        return None, None, None
    shape, loose = _keys(parsed)
    return ast.dump(ast.Module(body=parsed, type_ignores=[])), shape, loose


def _grade(snip, stmt):
    if snip.dump is not None and snip.dump == stmt.dump:
        return 3
    if snip.shape is not None and snip.shape == stmt.shape:
        return 2
    if snip.loose is not None and snip.loose == stmt.loose:
        return 1
    return 0


# Two statements written differently are the old and new form of one
# line when their code (whitespace aside) is at least this alike, by
# difflib's ratio: 0.75 pairs a changed argument or an added message
# (``assertEqual(a, b)`` / ``assertEqual(a, b, 'msg')``, ``assertEqual`` /
# ``assertDictEqual`` with the same arguments) and keeps apart two
# assertions about different things that merely share a shape
# (``assertEqual('ERROR', server['status'])`` /
# ``assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])``: 0.62).
# Calls to the same method whose arguments differ in one place, or that
# only add arguments (a failure message), pair too (:func:`_same_call`).
SIMILAR_RATIO = 0.75


def _bare_code(module, node):
    """The code of one statement without the comment lines before it."""
    return '\n'.join(line for line in module.code_for_node(node).split('\n')
                     if not line.lstrip().startswith('#'))


def similarity(a, b):
    """difflib's ratio of two statements' code, whitespace aside."""
    a, b = ''.join(a.split()), ''.join(b.split())
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _wraps(snip, stmt):
    """Whether ``snip`` (try/with/if) holds ``stmt`` unchanged in its body."""
    node = snip.node
    if not isinstance(node, (cst.Try, cst.With, cst.If)) or not stmt.code:
        return False
    want = ''.join(stmt.code.split())
    body = getattr(node.body, 'body', ())
    return any(''.join(cst.Module(body=[inner]).code.split()) == want
               for inner in body)


def _pair_grade(snip, stmt):
    """The grade of ``snip`` as the new form of ``stmt``, or 0.

    Identical statements pair; a changed one pairs only with a statement
    it is similar to (:data:`SIMILAR_RATIO`) or that it wraps (a ``try``
    around an assertion): a new statement next to a similar one is an
    insertion, not a replacement.
    """
    grade = _grade(snip, stmt)
    if grade == 3:
        return 3
    if _assigns_other_names(snip, stmt):
        # ``dest_rp_usages = self._get_provider_usages(dest_rp_uuid)`` is
        # alike ``source_rp_usages = ...`` but binds another name: new.
        return 0
    if _wraps(snip, stmt):
        return 2
    if similarity(snip.code, stmt.code) >= SIMILAR_RATIO or _same_call(
            snip.code, stmt.code):
        return max(grade, 1)
    return 0


def _assigns_other_names(snip, stmt):
    a, b = snip.shape, stmt.shape
    return bool(a and b and a[0] in ('assign', 'augassign') and
                b[0] in ('assign', 'augassign') and a[1] != b[1])


def _shares_an_argument(snip, stmt):
    a, b = _call_of(snip.code), _call_of(stmt.code)
    return bool(a and b and set(a[1]) & set(b[1]))


def _call_of(code):
    tree = texts.parse_python(textwrap.dedent(code))
    if tree is None or len(tree.body) != 1 or not isinstance(
            tree.body[0], ast.Expr) or not isinstance(tree.body[0].value,
                                                      ast.Call):
        return None
    call = tree.body[0].value
    return (ast.dump(call.func), [ast.dump(a) for a in call.args],
            sorted(ast.dump(k) for k in call.keywords))


def _same_call(a, b):
    """The same method called with the same arguments but one, or more."""
    a, b = _call_of(a), _call_of(b)
    if not a or not b or a[0] != b[0]:
        return False
    short, long_ = sorted((a[1], b[1]), key=len)
    if long_[:len(short)] == short and a[2] == b[2]:
        return bool(short)      # only added arguments (a message)
    if len(short) != len(long_) or len(short) < 2 or a[2] != b[2]:
        return False
    return sum(1 for x, y in zip(short, long_) if x != y) == 1


_GRADE_NAMES = {3: 'identical', 2: 'same shape', 1: 'same target'}


_TOKENS = re.compile(r"(?:id|attr|arg)='(\w+)'|value=('[^']*'|\d+)")


def _tokens(stmt):
    return {a or b for a, b in _TOKENS.findall(stmt.dump or '')}


def _closest(snip, tops):
    """Among equally graded statements, the one sharing the most names.

    ``self.assertEqual(source_rp_usages, no_usage)`` has the shape of every
    two-argument assertEqual of the test, but its names single out
    ``self.assertEqual(no_usage, source_rp_usages)``.  Returns ``tops``
    unchanged when no single statement is closest.
    """
    wanted = _tokens(snip)
    scored = []
    for stmt in tops:
        have = _tokens(stmt)
        union = wanted | have
        scored.append((len(wanted & have) / len(union) if union else 0.0,
                       stmt))
    scored.sort(key=lambda pair: -pair[0])
    if scored and scored[0][0] > 0.5 and (
            len(scored) == 1 or scored[0][0] > scored[1][0]):
        return [scored[0][1]]
    return tops


class _Index:
    """Statements of a module, their blocks and lines."""

    def __init__(self, module):
        self.module = module
        wrapper = cst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(cst_metadata.PositionProvider)
        layout = _Layout(module)
        module.visit(layout)
        self.blocks = layout.blocks
        self.stmts = []
        self.by_block = []
        for number, (block, _indent) in enumerate(self.blocks):
            entries = []
            for index, node in enumerate(block.body):
                if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                    entries.append(None)
                    continue
                dump, shape, loose = _analyse(module, node)
                line = positions[node].start.line if node in positions else 0
                stmt = _Stmt(number, index, node, line, dump, shape, loose,
                             _bare_code(module, node))
                entries.append(stmt)
                self.stmts.append(stmt)
            self.by_block.append(entries)
        self.positions = positions

    def line_of(self, node):
        pos = self.positions.get(node)
        return pos.start.line if pos else 0


def apply_snippet(source, code, partial=False):
    text = _snippet_text(code)
    _check_elision(text, source)
    module = common.cst_parse(source)
    top = _statements_at(text, '')
    if not top:
        raise common.Refused('the snippet has no statements')
    # Split into runs: defs/classes, imports, plain statements.
    runs = []
    for node in top:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            runs.append(('def', [node]))
        elif _is_import(node):
            runs.append(('import', [node]))
        elif runs and runs[-1][0] == 'stmts':
            runs[-1][1].append(node)
        else:
            runs.append(('stmts', [node]))
    reasons = []
    for kind, nodes in runs:
        if kind == 'def':
            module, reason = _apply_def(module, nodes[0])
        elif kind == 'import':
            module, reason = _apply_import(module, nodes[0])
        else:
            piece = ''.join(_code(n) for n in nodes)
            module, reason = _apply_statements(module, piece, None,
                                               keep_unmatched=partial)
        reasons.append(reason)
    return module.code, '; '.join(reasons)


def _code(node):
    """Source of a statement with its own comments, at column 0."""
    return cst.Module(body=[]).code_for_node(node)


def _check_elision(text, source):
    for line in text.split('\n'):
        if _ELISION.match(line) and line.strip() not in source:
            raise common.Refused(
                'the snippet elides code (%r); it cannot replace what it '
                'does not show' % texts.short(line.strip(), 60))
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and node.value.value is Ellipsis):
            if not re.search(r'^\s*\.\.\.\s*$', source, re.M):
                raise common.Refused("the snippet elides code with '...'; it "
                                     "cannot replace what it does not show")


def _is_import(node):
    return (isinstance(node, cst.SimpleStatementLine)
            and len(node.body) == 1
            and isinstance(node.body[0], (cst.Import, cst.ImportFrom)))


def _apply_import(module, node):
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


def _test_class(module):
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


def _members(cls, kind):
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


def _keep_leading(new, old):
    """Give ``new`` the blank lines/comments of ``old`` unless it has own.

    When ``new`` brings comments, it keeps them after ``old``'s leading
    blank lines.
    """
    if not _has_comment(new):
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
            dump, shape, loose = _analyse(blank, node)
            out.append(_Stmt(-1, number, node, 0, dump, shape, loose))
        return out

    olds = stmts(old.body.body)
    news = stmts(new.body.body)
    body = list(new.body.body)
    for j, (p, grade) in _align(news, olds, 0, 0).items():
        if grade == 3:
            body[j] = olds[p].node
    return new.with_changes(body=new.body.with_changes(body=body))


def _def_names(node):
    return {s.name.value for s in _members(node, cst.FunctionDef)}


def _apply_def(module, node):
    name = node.name.value
    what = 'class' if isinstance(node, cst.ClassDef) else 'def'
    kind = type(node)
    test_cls = _test_class(module)
    top_matches = [s for s in module.body
                   if isinstance(s, kind) and s.name.value == name]
    in_class = []
    if test_cls is not None:
        in_class = [s for s in _members(test_cls, kind)
                    if s.name.value == name]
    if len(top_matches) + len(in_class) > 1:
        raise common.Refused('%s %s is defined more than once; cannot tell '
                             'which to replace' % (what, name))
    if top_matches or in_class:
        old = (top_matches or in_class)[0]
        label = name if top_matches else '%s.%s' % (test_cls.name.value,
                                                    name)
        line = common.lines_of(module, [old])[0]
        if common.normalize(_code(node)) == common.normalize(_code(old)):
            return module, '%s %s (line %d) is identical (no change)' % (
                what, label, line)
        if (top_matches and isinstance(node, cst.ClassDef)
                and not _def_names(old) <= _def_names(node)):
            return _merge_class(module, old, node)
        indent = '' if top_matches else _block_indent(module, test_cls.body)
        new = _statements_at(_code(node), indent)[0]
        new = _keep_unchanged(old, _keep_leading(new, old))
        return (module.deep_replace(old, new),
                'replaced %s %s (line %d)' % (what, label, line))
    # Not there yet: a method of ours under a new name is a rename (its
    # callers follow); anything else is added.
    if test_cls is not None and isinstance(node, cst.FunctionDef):
        renamed = _renamed_from(test_cls, node)
        if renamed is not None:
            code, reason = rename.apply_rename(module.code, renamed, name)
            return common.cst_parse(code), reason + (
                ' (def %s shown under a new name, its body unchanged)'
                % renamed)
    if (test_cls is not None and isinstance(node, cst.FunctionDef)
            and _is_method_like(node)):
        indent = _block_indent(module, test_cls.body)
        new = _statements_at(_code(node),
                             indent)[0]
        new = new.with_changes(leading_lines=[common.BLANK] + [
            line for line in new.leading_lines if line.comment])
        body = list(test_cls.body.body) + [new]
        new_cls = test_cls.with_changes(
            body=test_cls.body.with_changes(body=body))
        return (module.deep_replace(test_cls, new_cls),
                'added method %s to %s' % (name, test_cls.name.value))
    new = _statements_at(_code(node), '')[0]
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
    found = [member.name.value for member in _members(cls, cst.FunctionDef)
             if common.normalize(_code(node.with_changes(
                 name=member.name))) == common.normalize(_code(member))]
    return found[0] if len(found) == 1 else None


def _merge_class(module, old, node):
    """Apply a partial class member by member; keeps the class header."""
    reasons = []
    cls_name = old.name.value
    for member in _members(node, cst.BaseStatement):
        current = [s for s in module.body
                   if isinstance(s, cst.ClassDef) and s.name.value == cls_name]
        cls = current[0]
        if isinstance(member, cst.FunctionDef):
            module, reason = _apply_member_def(module, cls, member)
        elif common.is_docstring(member):
            reason = 'kept the docstring of %s' % cls_name
        else:
            piece = _code(member)
            module, reason = _apply_statements(module, piece, cls.body)
        reasons.append(reason)
    missing = sorted(_def_names(old) - _def_names(node))
    reasons.append('kept the header of class %s and its methods the snippet '
                   'does not show (%s)' % (cls_name, ', '.join(missing)))
    return module, '; '.join(reasons)


def _apply_member_def(module, cls, member):
    name = member.name.value
    indent = _block_indent(module, cls.body)
    new = _statements_at(_code(member),
                         indent)[0]
    olds = [s for s in _members(cls, cst.FunctionDef) if s.name.value == name]
    if len(olds) > 1:
        raise common.Refused('method %s is defined more than once in %s'
                             % (name, cls.name.value))
    if olds:
        return (module.deep_replace(olds[0], _keep_leading(new, olds[0])),
                'replaced method %s.%s' % (cls.name.value, name))
    new = new.with_changes(leading_lines=[common.BLANK] + [
        line for line in new.leading_lines if line.comment])
    body = list(cls.body.body) + [new]
    return (module.deep_replace(cls, cls.with_changes(
        body=cls.body.with_changes(body=body))),
        'added method %s to %s' % (name, cls.name.value))


def _block_indent(module, block):
    layout = _Layout(module)
    module.visit(layout)
    for node, indent in layout.blocks:
        if node is block:
            return indent
    raise common.Refused('internal: block not found')


def _snips_of(piece):
    """(module, statements) of a snippet's top-level statements."""
    snippet_module = common.cst_parse(piece)
    snips = []
    for node in _statements_at(piece, ''):
        dump, shape, loose = _analyse(snippet_module, node)
        snips.append(_Stmt(-1, len(snips), node, 0, dump, shape, loose,
                           _bare_code(snippet_module, node)))
    return snippet_module, snips


def _anchors(snips, candidates, snippet_module):
    """(grade, j, stmt) of each snippet statement with one counterpart.

    Raises :class:`common.Refused` when no statement has one.
    """
    anchors = []
    ambiguous = []
    for j, snip in enumerate(snips):
        graded = [(_pair_grade(snip, s), s) for s in candidates]
        if not any(g for g, _s in graded):
            # Not similar to any: the one statement of its shape (the
            # only call of that method, say) that shares an argument with
            # it is still its counterpart.
            shaped = [(_grade(snip, s), s) for s in candidates]
            shaped = [(g, s) for g, s in shaped
                      if g >= 2 and _shares_an_argument(snip, s)]
            if len(shaped) == 1:
                graded = shaped
        best = max([g for g, _s in graded] + [0])
        if best == 0:
            continue
        tops = [s for g, s in graded if g == best]
        if len(tops) > 1:
            tops = _closest(snip, tops)
        if len(tops) == 1:
            anchors.append((best, j, tops[0]))
        else:
            ambiguous.append((best, j, tops))
    if anchors:
        return anchors
    if ambiguous:
        best, j, tops = max(ambiguous, key=lambda a: a[0])
        raise common.Refused(
            'ambiguous: `%s` matches lines %s equally (%s)'
            % (_describe(snippet_module, snips[j].node),
               ', '.join(str(s.line) for s in tops[:6]),
               _GRADE_NAMES[best]))
    raise common.Refused('no anchor: no statement of the snippet '
                         '(`%s`...) has a counterpart in the test'
                         % _describe(snippet_module, snips[0].node))


def _consistent(anchors):
    """The anchors that agree with the best ones on block and order."""
    accepted = []
    for grade, j, stmt in sorted(anchors, key=lambda a: (-a[0], a[1])):
        conflict = None
        for _g, j2, s2 in accepted:
            if (s2.block != stmt.block or s2.index == stmt.index
                    or (j < j2) != (stmt.index < s2.index)):
                conflict = s2
                break
        if conflict is None:
            accepted.append((grade, j, stmt))
        elif grade == 3 and any(g == 3 for g, _j, _s in accepted):
            raise common.Refused(
                'the snippet\'s statements are found apart in the test '
                '(lines %d and %d); cannot tell where it belongs'
                % (conflict.line, stmt.line))
    accepted.sort(key=lambda a: a[1])
    return accepted


def _pairs(accepted, snips, entries):
    """{snippet index: (block index, grade)}: anchors, then neighbours."""
    pairs = {j: (stmt.index, grade) for grade, j, stmt in accepted}
    # Extend outwards while neighbours correspond.
    j, p = accepted[0][1] - 1, accepted[0][2].index - 1
    while j >= 0 and p >= 0 and entries[p] is not None:
        g = _pair_grade(snips[j], entries[p])
        if g == 0:
            break
        pairs[j] = (p, g)
        j, p = j - 1, p - 1
    j, p = accepted[-1][1] + 1, accepted[-1][2].index + 1
    while j < len(snips) and p < len(entries) and entries[p] is not None:
        g = _pair_grade(snips[j], entries[p])
        if g == 0:
            break
        pairs[j] = (p, g)
        j, p = j + 1, p + 1
    # Pair up what lies between consecutive anchors.
    ordered = sorted(pairs.items())
    for (j1, (p1, _g1)), (j2, (p2, _g2)) in zip(ordered, ordered[1:]):
        for j, (p, g) in _align(snips[j1 + 1:j2], entries[p1 + 1:p2],
                                j1 + 1, p1 + 1).items():
            pairs[j] = (p, g)
    return pairs


def _apply_statements(module, piece, only_block, keep_unmatched=False):
    """Replace the best unique region of a block with ``piece``.

    With ``keep_unmatched`` the region's statements that no statement of
    ``piece`` corresponds to stay, in order, instead of going.
    """
    index = _Index(module)
    snippet_module, snips = _snips_of(piece)
    allowed = None
    if only_block is not None:
        allowed = {n for n, (b, _i) in enumerate(index.blocks)
                   if b is only_block}
    candidates = [s for s in index.stmts
                  if allowed is None or s.block in allowed]

    # Rung 1: the whole snippet is already there.
    same = _verbatim(index, snips, allowed)
    if same:
        return module, ('statements identical to the test at line(s) %s '
                        '(no change)' % ', '.join(str(x) for x in same))

    # Rung 2: anchors, and what corresponds around them.
    accepted = _consistent(_anchors(snips, candidates, snippet_module))
    block_no = accepted[0][2].block
    entries = index.by_block[block_no]
    pairs = _pairs(accepted, snips, entries)
    lo = min(p for p, _g in pairs.values())
    hi = max(p for p, _g in pairs.values())
    block, indent = index.blocks[block_no]
    new_nodes = []
    for j, node in enumerate(_statements_at(piece, indent)):
        if j in pairs:
            p, g = pairs[j]
            old = block.body[p]
            new_nodes.append(old if g == 3 else _keep_leading(node, old))
        else:
            new_nodes.append(node)
    removed = _unpaired(index, block, entries, pairs, lo, hi)
    if keep_unmatched and removed:
        new_nodes = _interleave(new_nodes, pairs, block.body, lo, hi)
        removed = []
    body = list(block.body[:lo]) + new_nodes + list(block.body[hi + 1:])
    if isinstance(block, cst.Module):
        module = module.with_changes(body=body)
    else:
        module = module.deep_replace(block, block.with_changes(body=body))
    anchor_grade, _anchor_j, anchor = accepted[0]
    reason = ('replaced line(s) %d-%d, anchored on `%s` at line %d (%s)'
              % (entries[lo].line, _last_line(index, entries[hi].node),
                 _describe(index.module, anchor.node), anchor.line,
                 _GRADE_NAMES[anchor_grade]))
    inserted = len(snips) - len(pairs)
    if inserted:
        reason += '; inserted %d new statement(s)' % inserted
    if removed:
        reason += '; removed statement(s) at line(s) %s' % ', '.join(
            str(x) for x in removed)
    return module, reason


def _unpaired(index, block, entries, pairs, lo, hi):
    """Lines of the region's statements no snippet statement pairs with.

    A def inside the region is never replaced by statements: refused.
    """
    paired = {p for p, _g in pairs.values()}
    for p in range(lo, hi + 1):
        if p not in paired and entries[p] is None:
            raise common.Refused('the snippet would replace the region of '
                                 'lines %d-%d, which holds def %s; refusing'
                                 % (entries[lo].line, entries[hi].line,
                                    block.body[p].name.value))
    return [entries[p].line if entries[p] else index.line_of(block.body[p])
            for p in range(lo, hi + 1) if p not in paired]


def _interleave(new_nodes, pairs, body, lo, hi):
    """``new_nodes`` with the unpaired statements of the region kept.

    Each unpaired statement of ``body[lo:hi+1]`` goes just before the
    first new node paired with a statement after it.
    """
    paired = {p for p, _g in pairs.values()}
    kept = [p for p in range(lo, hi + 1) if p not in paired]
    out = []
    for j, node in enumerate(new_nodes):
        if j in pairs:
            p = pairs[j][0]
            while kept and kept[0] < p:
                out.append(body[kept.pop(0)])
        out.append(node)
    out.extend(body[p] for p in kept)
    return out


def _last_line(index, node):
    pos = index.positions.get(node)
    return pos.end.line if pos else 0


def _verbatim(index, snips, allowed):
    """First lines of the places where ``snips`` occur verbatim."""
    return [index.by_block[number][start].line
            for number, start in _windows(index, snips, allowed)]


def _windows(index, snips, allowed=None):
    """(block, start) of each place where ``snips`` occur verbatim."""
    size = len(snips)
    if not size or any(s.dump is None for s in snips):
        return []
    found = []
    for number, entries in enumerate(index.by_block):
        if allowed is not None and number not in allowed:
            continue
        for start in range(len(entries) - size + 1):
            window = entries[start:start + size]
            if all(e is not None and e.dump == s.dump
                   for e, s in zip(window, snips)):
                found.append((number, start))
    return found


def remove_statement(source, old):
    """Remove the statement(s) ``old`` where they occur verbatim, once."""
    text = _snippet_text(old)
    module = common.cst_parse(source)
    index = _Index(module)
    snippet_module = common.cst_parse(text)
    snips = []
    for node in snippet_module.body:
        dump, shape, loose = _analyse(snippet_module, node)
        snips.append(_Stmt(-1, len(snips), node, 0, dump, shape, loose))
    found = _windows(index, snips)
    what = _describe(snippet_module, snips[0].node) if snips else old
    if not found:
        raise common.Refused('statement `%s` is not in the test' % what)
    if len(found) > 1:
        raise common.Refused(
            'statement `%s` occurs %d times (lines %s); cannot tell which '
            'to remove' % (what, len(found), ', '.join(
                str(index.by_block[b][i].line) for b, i in found)))
    number, start = found[0]
    block = index.blocks[number][0]
    entries = index.by_block[number]
    first = entries[start].line
    last = _last_line(index, entries[start + len(snips) - 1].node)
    body = (list(block.body[:start])
            + list(block.body[start + len(snips):]))
    if isinstance(block, cst.Module):
        module = module.with_changes(body=body)
    else:
        module = module.deep_replace(block, block.with_changes(body=body))
    module = module.visit(common.FillEmpty())
    return module.code, 'removed statement `%s` (lines %d-%d)' % (
        what, first, last)


def _align(snips, entries, j0, p0):
    """Weighted LCS of two short statement lists; returns {j: (p, g)}."""
    n, m = len(snips), len(entries)
    if not n or not m:
        return {}
    score = [[0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            g = _pair_grade(snips[a], entries[b]) if entries[b] else 0
            best = max(score[a + 1][b], score[a][b + 1])
            if g:
                best = max(best, g + score[a + 1][b + 1])
            score[a][b] = best
    out = {}
    a = b = 0
    while a < n and b < m:
        g = _pair_grade(snips[a], entries[b]) if entries[b] else 0
        if g and score[a][b] == g + score[a + 1][b + 1]:
            out[j0 + a] = (p0 + b, g)
            a, b = a + 1, b + 1
        elif score[a + 1][b] >= score[a][b + 1]:
            a += 1
        else:
            b += 1
    return out
