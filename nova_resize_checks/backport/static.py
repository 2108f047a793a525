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


"""Static half of backport verification: read finish_resize's failure path.

The source of ``nova/compute/manager.py`` is parsed with :mod:`ast` (never
searched as text).  In class ``ComputeManager``, method ``finish_resize``,
the failure path is every ``except`` handler and every
``with excutils.save_and_reraise_exception():`` block.  Calls made there are
classified by what they do to placement allocations:

``delete-allocation-after-move`` (fixed)
    ``_delete_allocation_after_move``: change I52c8d038, the fix of bug
    1825537.  The source node allocations held by the migration are dropped
    and the instance keeps its allocations on the destination.
``inline-migration-drop`` (fixed)
    an allocation delete whose consumer is ``migration.uuid``, e.g.
    ``reportclient.delete_allocation_for_instance(context, migration.uuid)``:
    the Queens/Rocky backports of I52c8d038, adapted by hand.
``revert-allocation`` (affected)
    ``_revert_allocation``: change I2d9ab06b (bug 1749215) in Queens and
    later.  It moves the migration's source allocations back to the instance
    and drops the destination ones, while the instance lives on the
    destination: bug 1825537.
``rt-delete-allocation-for-failed-resize`` (affected)
    ``rt.delete_allocation_for_failed_resize``: the Pike form of I2d9ab06b.
    In Pike the instance consumer holds both nodes during a resize; that
    method removes the destination node (the node of the compute running
    finish_resize) from the allocation, with the new flavor.  Usage stays on
    the source node: the same outcome as bug 1825537.
``no-handling`` (predates-regression)
    nothing on the failure path touches allocations: the code before
    I2d9ab06b.

Anything else allocation-related (a call whose name mentions allocations,
placement, the report client or claims) that fits none of the shapes gives
``unknown`` with the calls found, as does a failure path that both fixes and
reverts.

Handling delegated one level is followed: a same-class method called from
the failure path is read whole (it only runs on failure), a same-class
context manager that ``finish_resize`` enters is read for its own failure
path and, when that finds nothing allocation-related, so are the failure
paths of the same-class methods that ``finish_resize`` calls directly (a
``finish_resize`` that only delegates to a helper holding the try/except).
"""

import ast
import dataclasses
import io
import os
import tokenize
import typing

MANAGER_PATH = 'nova/compute/manager.py'
CLASS_NAME = 'ComputeManager'
METHOD_NAME = 'finish_resize'

# Verdicts.
FIXED = 'fixed'
AFFECTED = 'affected'
PREDATES = 'predates-regression'
UNKNOWN = 'unknown'
VERDICTS = (FIXED, AFFECTED, PREDATES, UNKNOWN)

# Shapes.
SHAPE_AFTER_MOVE = 'delete-allocation-after-move'
SHAPE_INLINE_DROP = 'inline-migration-drop'
SHAPE_REVERT = 'revert-allocation'
SHAPE_RT_FAILED_RESIZE = 'rt-delete-allocation-for-failed-resize'
SHAPE_NO_HANDLING = 'no-handling'
SHAPE_UNRECOGNISED = 'unrecognised-allocation-handling'
SHAPE_CONFLICTING = 'conflicting-handling'
SHAPE_BROKEN_CALL = 'call-does-not-match-definition'

REGRESSION_CHANGE = 'I2d9ab06b485f76550dbbff46f79f40ff4c97d12f'
FIX_CHANGE = 'I52c8d038118c858004e17e71b2fba9e9e2714815'

_WHY_AFTER_MOVE = (
    'drops the source node allocations held by the migration and keeps '
    "the instance's allocations on the destination (the fix, I52c8d038)")
_WHY_INLINE_DROP = (
    'deletes the allocations whose consumer is the migration, i.e. the '
    'source node usage, and keeps the destination (I52c8d038 adapted by '
    'hand, as in the Queens/Rocky backports)')
_WHY_REVERT = (
    'moves the source allocations held by the migration back to the '
    'instance and drops the destination ones while the instance lives on '
    'the destination (bug 1825537, regression I2d9ab06b)')
_WHY_RT_FAILED_RESIZE = (
    "removes the destination node's new-flavor resources from the "
    "instance's allocation and leaves the old flavor on the source node "
    'while the instance lives on the destination (Pike form of regression '
    'I2d9ab06b: same outcome as bug 1825537)')

# Calls recognised by the name of the method called, whatever the receiver.
_NAMED_SHAPES = {
    '_delete_allocation_after_move': (SHAPE_AFTER_MOVE, FIXED,
                                      _WHY_AFTER_MOVE),
    '_revert_allocation': (SHAPE_REVERT, AFFECTED, _WHY_REVERT),
    'delete_allocation_for_failed_resize': (SHAPE_RT_FAILED_RESIZE, AFFECTED,
                                            _WHY_RT_FAILED_RESIZE),
}
_INLINE_DROP = (SHAPE_INLINE_DROP, FIXED, _WHY_INLINE_DROP)
_DROP_PREFIXES = ('delete', 'remove', 'drop')
# Substrings of a dotted call name that make it allocation-related.
_ALLOCATION_WORDS = ('alloc', 'placement', 'reportclient', 'claim')

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class StaticCheckError(Exception):
    """The source cannot be judged; the message says why."""


@dataclasses.dataclass(frozen=True)
class StaticResult:
    """Verdict on the failure path of ``ComputeManager.finish_resize``.

    ``call`` is the dotted name of the deciding call (None when there is
    none) and ``line`` its 1-based line, or the line of ``finish_resize``
    when no call decided.
    """

    verdict: str
    shape: str
    call: typing.Optional[str]
    path: str
    line: typing.Optional[int]
    detail: str

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class _Found:
    node: ast.Call
    name: str
    where: str


def _walk(nodes):
    """Yield the nodes under ``nodes`` in source order.

    Nested functions, lambdas and classes are not entered: their bodies do
    not run where they are defined.
    """
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return '%s.%s' % (_dotted(node.value), node.attr)
    if isinstance(node, ast.Call):
        return '%s()' % _dotted(node.func)
    if isinstance(node, ast.Subscript):
        return '%s[]' % _dotted(node.value)
    return '<%s>' % type(node).__name__.lower()


def _called_name(call):
    """The last name of what is called: ``b`` for ``a.b(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _self_method(call, methods):
    """Name of the same-class method ``call`` calls as ``self.x()``."""
    func = call.func
    if (isinstance(func, ast.Attribute) and
            isinstance(func.value, ast.Name) and
            func.value.id == 'self' and func.attr in methods):
        return func.attr
    return None


def _is_save_and_reraise(with_node):
    for item in with_node.items:
        expr = item.context_expr
        if (isinstance(expr, ast.Call) and
                _called_name(expr) == 'save_and_reraise_exception'):
            return True
    return False


def _failure_regions(func):
    """(kind, line, body) of the except handlers and reraise blocks."""
    regions = []
    for node in _walk(func.body):
        if isinstance(node, ast.ExceptHandler):
            regions.append(('except handler', node.lineno, node.body))
        elif (isinstance(node, (ast.With, ast.AsyncWith)) and
                _is_save_and_reraise(node)):
            regions.append(('save_and_reraise_exception block', node.lineno,
                            node.body))
    return regions


def _calls(nodes, where, seen):
    found = []
    for node in _walk(nodes):
        if isinstance(node, ast.Call) and id(node) not in seen:
            seen.add(id(node))
            found.append(_Found(node, _dotted(node.func), where))
    return found


def _region_calls(regions, owner, seen):
    found = []
    for kind, line, body in regions:
        where = "in %s's %s at line %d" % (owner, kind, line)
        found.extend(_calls(body, where, seen))
    return found


def _migration_consumer(call):
    """Whether an argument of ``call`` is ``<...migration>.uuid``."""
    values = list(call.args) + [kw.value for kw in call.keywords]
    for value in values:
        if isinstance(value, ast.Attribute) and value.attr == 'uuid':
            owner = _dotted(value.value).split('.')[-1].lower()
            if owner == 'mig' or owner.endswith('migration'):
                return True
    return False


def _match(call):
    """(shape, verdict, why) for a recognised call, else None."""
    name = _called_name(call)
    if name is None:
        return None
    if name in _NAMED_SHAPES:
        return _NAMED_SHAPES[name]
    bare = name.lstrip('_').lower()
    if (bare.startswith(_DROP_PREFIXES) and 'alloc' in bare and
            _migration_consumer(call)):
        return _INLINE_DROP
    return None


def _allocation_related(found):
    name = found.name.lower()
    return any(word in name for word in _ALLOCATION_WORDS)


def _describe(found_list):
    names = []
    for found in found_list:
        label = '%s() (line %d)' % (found.name, found.node.lineno)
        if label not in names:
            names.append(label)
    return ', '.join(names)


class _Analysis(object):
    """What finish_resize's failure path calls, one delegation deep."""

    def __init__(self, methods):
        self.methods = methods
        self.func = methods[METHOD_NAME]
        self.seen = set()
        self.followed = set([METHOD_NAME])
        self.notes = []

    def handling(self):
        """Calls on the failure path and in helpers it delegates to."""
        func = self.func
        found = _region_calls(_failure_regions(func), METHOD_NAME, self.seen)
        # Same-class helpers called on the failure path run only on failure:
        # read them whole.
        for item in list(found):
            helper = _self_method(item.node, self.methods)
            if (helper is None or helper in self.followed or
                    _match(item.node) is not None):
                continue
            self.followed.add(helper)
            hfunc = self.methods[helper]
            where = 'in self.%s() (line %d), called %s' % (
                helper, hfunc.lineno, item.where)
            found.extend(_calls(hfunc.body, where, self.seen))
        # Same-class context managers entered by finish_resize handle its
        # failures in their own except handlers.
        for node in _walk(func.body):
            if not isinstance(node, (ast.With, ast.AsyncWith)):
                continue
            for item in node.items:
                expr = item.context_expr
                if not isinstance(expr, ast.Call):
                    continue
                helper = _self_method(expr, self.methods)
                if helper is None or helper in self.followed:
                    continue
                self.followed.add(helper)
                owner = 'self.%s() (context manager entered at line %d)' % (
                    helper, node.lineno)
                found.extend(_region_calls(
                    _failure_regions(self.methods[helper]), owner,
                    self.seen))
        return found

    def delegated(self):
        """Failure paths of same-class methods finish_resize calls."""
        found = []
        for node in _walk(self.func.body):
            if not isinstance(node, ast.Call):
                continue
            helper = _self_method(node, self.methods)
            if helper is None or helper in self.followed:
                continue
            self.followed.add(helper)
            owner = 'self.%s() (called by %s at line %d)' % (
                helper, METHOD_NAME, node.lineno)
            found.extend(_region_calls(
                _failure_regions(self.methods[helper]), owner, self.seen))
        return found


def _binding_problem(call, func):
    """Why ``call`` cannot bind to ``func``'s parameters, or None.

    Only plain calls are judged: a call with ``*args`` or ``**kwargs`` may
    bind to anything.
    """
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
            kw.arg is None for kw in call.keywords):
        return None
    spec = func.args
    positional = list(getattr(spec, 'posonlyargs', [])) + list(spec.args)
    names = [arg.arg for arg in positional][1:]   # without self
    posonly = len(getattr(spec, 'posonlyargs', [])) - 1
    required = names[:len(names) - len(spec.defaults)]
    given = set(names[:len(call.args)])
    if len(call.args) > len(names) and spec.vararg is None:
        return 'takes %d positional arguments after self, %d given' % (
            len(names), len(call.args))
    kwonly = [arg.arg for arg in spec.kwonlyargs]
    for kw in call.keywords:
        if kw.arg in names[max(posonly, 0):] or kw.arg in kwonly:
            given.add(kw.arg)
        elif spec.kwarg is None:
            return 'has no parameter %r' % kw.arg
    missing = [name for name in required if name not in given]
    missing += [arg.arg for arg, default in zip(spec.kwonlyargs,
                                                spec.kw_defaults)
                if default is None and arg.arg not in given]
    if missing:
        return 'needs %s, which the call does not pass' % ', '.join(missing)
    return None


def _broken_self_call(item, methods):
    """A StaticResult detail when a recognised self.X() cannot work."""
    func = item.node.func
    if not (isinstance(func, ast.Attribute) and
            isinstance(func.value, ast.Name) and func.value.id == 'self'):
        return None
    method = methods.get(func.attr)
    if method is None:
        # Possibly inherited (nova's manager.Manager): not judged.
        return None
    problem = _binding_problem(item.node, method)
    if problem:
        return ('%s() (line %d) %s does not match its definition at line '
                '%d: it %s (a TypeError at run time, so the failure path '
                'does not do what its name says)' % (
                    item.name, item.node.lineno, item.where, method.lineno,
                    problem))
    return None


def _verdict(found, path, methods=None):
    """A StaticResult for ``found`` or None if nothing allocation-related."""
    recognised = []
    related = []
    for item in found:
        match = _match(item.node)
        if match is not None:
            recognised.append((item, match))
        elif _allocation_related(item):
            related.append(item)
    for item, _match_ in recognised:
        broken = _broken_self_call(item, methods or {})
        if broken and methods is not None:
            return StaticResult(UNKNOWN, SHAPE_BROKEN_CALL, item.name, path,
                                item.node.lineno, broken + '.')
    if recognised:
        verdicts = set(match[1] for _item, match in recognised)
        first, (shape, verdict, why) = recognised[0]
        others = [item for item, _match_ in recognised[1:]] + related
        if FIXED in verdicts and AFFECTED in verdicts:
            parts = ['%s() (line %d) %s: %s' % (
                item.name, item.node.lineno, item.where, match[0])
                for item, match in recognised]
            return StaticResult(
                UNKNOWN, SHAPE_CONFLICTING, first.name, path,
                first.node.lineno,
                'the failure path both fixes and reverts allocations: ' +
                '; '.join(parts) + '.')
        detail = '%s() %s %s.' % (first.name, first.where, why)
        if others:
            detail += ' Also allocation-related there: %s.' % (
                _describe(others))
        return StaticResult(verdict, shape, first.name, path,
                            first.node.lineno, detail)
    if related:
        first = related[0]
        detail = ('allocation-related calls on the failure path match no '
                  'known shape: %s; first %s.' % (_describe(related),
                                                  first.where))
        return StaticResult(UNKNOWN, SHAPE_UNRECOGNISED, first.name, path,
                            first.node.lineno, detail)
    return None


def _find_class(tree):
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == CLASS_NAME:
            return node
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == CLASS_NAME:
            return node
    return None


def _methods(body):
    methods = {}
    for node in body:
        if isinstance(node, _FUNCTIONS):
            # As at run time, a later definition replaces an earlier one.
            methods[node.name] = node
    return methods


def _decode(source, path):
    if isinstance(source, str):
        return source
    try:
        readline = io.BytesIO(source).readline
        encoding, _lines = tokenize.detect_encoding(readline)
        return source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise StaticCheckError('%s: cannot decode the source: %s'
                               % (path, exc))


def _syntax_message(path, exc):
    if isinstance(exc, SyntaxError):
        return '%s: line %s: %s' % (path, exc.lineno, exc.msg)
    return '%s: %s' % (path, exc)


class _MethodSpans(object):
    """Tokenizer state while ComputeManager is cut into its methods."""

    def __init__(self):
        self.depth = 0
        self.class_line = None
        self.class_end = None
        self.expect_name = False
        self.expect_def_name = False
        self.logical_start = True
        self.in_decorators = False
        self.starts = []
        self.names = []
        self.previous = None

    def layout(self, tok):
        """Follow a token that only shapes lines; False for any other."""
        if tok.type == tokenize.INDENT:
            self.depth += 1
        elif tok.type == tokenize.DEDENT:
            self.depth -= 1
            if (self.class_line is not None and self.class_end is None and
                    self.depth == 0):
                self.class_end = tok.start[0] - 1
        elif tok.type == tokenize.NEWLINE:
            self.logical_start = True
        elif tok.type not in (tokenize.NL, tokenize.COMMENT,
                              tokenize.ENCODING):
            return False
        return True

    def token(self, tok):
        """Read one significant token; False once past the class."""
        at_start, self.logical_start = self.logical_start, False
        before, self.previous = self.previous, tok.string
        if self.expect_def_name:
            self.expect_def_name = False
            if self.starts and self.names[-1] is None:
                self.names[-1] = tok.string
            return True
        if self.expect_name:
            self.expect_name = False
            if tok.string == CLASS_NAME:
                self.class_line = tok.start[0]
            return True
        if self.class_line is None:
            if at_start and self.depth == 0 and tok.string == 'class':
                self.expect_name = True
            return True
        if self.class_end is not None:
            return False
        if self.depth == 1:
            self._class_body(tok, at_start, before)
        return True

    def _class_body(self, tok, at_start, before):
        """A token at class-body depth: where methods start."""
        if tok.string == 'def' and (at_start or before == 'async'):
            self.expect_def_name = True
        if not at_start:
            return
        if tok.string == '@':
            if not self.in_decorators:
                self._start(tok)
                self.in_decorators = True
        elif tok.string in ('def', 'async'):
            if not self.in_decorators:
                self._start(tok)
            self.in_decorators = False
        else:
            self.in_decorators = False

    def _start(self, tok):
        self.starts.append(tok.start[0])
        self.names.append(None)

    def spans(self, text):
        """(class_line, [(first, last, name), ...]) as _method_spans."""
        if self.class_line is None:
            return None, []
        class_end = self.class_end
        if class_end is None:
            class_end = len(text.splitlines())
        starts = self.starts
        spans = []
        for index, first in enumerate(starts):
            last = (starts[index + 1] - 1 if index + 1 < len(starts)
                    else class_end)
            spans.append((first, last, self.names[index]))
        return self.class_line, spans


def _method_spans(text):
    """Line spans of ComputeManager's methods, found with the tokenizer.

    Returns (class_line, [(first, last, name), ...]): a method starts at
    its first decorator (or ``def``) at class-body depth and runs to the
    line before the next one or the end of the class.
    """
    scanner = _MethodSpans()
    readline = io.StringIO(text).readline
    for tok in tokenize.generate_tokens(readline):
        if scanner.layout(tok):
            continue
        if tok.type == tokenize.ENDMARKER or not scanner.token(tok):
            break
    return scanner.spans(text)


def _lenient_methods(text, path, error):
    """Parse ComputeManager method by method when the file does not parse.

    Very old trees hold Python 2-only syntax (``except X, e:``, three
    argument ``raise``) that Python 3's parser refuses.  Each method is cut
    out with the tokenizer and parsed with ast on its own; methods that
    still do not parse are left out.
    """
    message = _syntax_message(path, error)
    try:
        class_line, spans = _method_spans(text)
    except (tokenize.TokenError, SyntaxError) as exc:
        raise StaticCheckError(
            '%s (not Python 3 syntax; it could not be tokenized either: '
            '%s)' % (message, exc))
    if class_line is None:
        raise StaticCheckError(
            '%s (not Python 3 syntax; no class %s found by tokenizing it)'
            % (message, CLASS_NAME))
    lines = text.splitlines(True)
    body = []
    skipped = []
    for first, last, name in spans:
        wrapper = 'class %s:\n%s' % (CLASS_NAME,
                                     ''.join(lines[first - 1:last]))
        try:
            module = ast.parse(wrapper)
        except (SyntaxError, ValueError) as exc:
            skipped.append((name, first, exc))
            continue
        # Wrapper line 2 is line ``first`` of the file.
        ast.increment_lineno(module, first - 2)
        body.extend(module.body[0].body)
    methods = _methods(body)
    if METHOD_NAME not in methods:
        for name, first, exc in skipped:
            if name == METHOD_NAME:
                line = first + (getattr(exc, 'lineno', None) or 2) - 2
                raise StaticCheckError(
                    '%s (not Python 3 syntax; %s itself, at line %d, does '
                    'not parse either: line %d: %s)' % (
                        message, METHOD_NAME, first, line,
                        getattr(exc, 'msg', exc)))
        raise StaticCheckError(
            '%s (not Python 3 syntax; %s has no method %s, reading it '
            'method by method)' % (message, CLASS_NAME, METHOD_NAME))
    note = ('The file is not Python 3 syntax (%s); %s was parsed method by '
            'method, %d of %d methods skipped (%s).' % (
                message, CLASS_NAME, len(skipped), len(spans),
                ', '.join(str(name) for name, _first, _exc in skipped)))
    return methods, note


def _load_methods(text, path):
    """ComputeManager's methods by name, and a note on how they were read."""
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as exc:
        return _lenient_methods(text, path, exc)
    cls = _find_class(tree)
    if cls is None:
        classes = sorted(node.name for node in tree.body
                         if isinstance(node, ast.ClassDef))
        raise StaticCheckError('%s: no class %s (top-level classes: %s)' % (
            path, CLASS_NAME, ', '.join(classes) or 'none'))
    methods = _methods(cls.body)
    if METHOD_NAME not in methods:
        raise StaticCheckError('%s: class %s (line %d) has no method %s' % (
            path, CLASS_NAME, cls.lineno, METHOD_NAME))
    return methods, ''


def classify_source(source_text, path=MANAGER_PATH):
    """Classify the failure path of ``ComputeManager.finish_resize``.

    ``source_text`` is the text (or bytes) of nova/compute/manager.py;
    ``path`` only labels the result and messages.  Raises StaticCheckError
    when the class or method is missing or the source cannot be parsed.
    """
    text = _decode(source_text, path)
    methods, note = _load_methods(text, path)
    analysis = _Analysis(methods)
    func = analysis.func

    handling = analysis.handling()
    result = _verdict(handling, path, methods)
    delegated = []
    if result is None:
        delegated = analysis.delegated()
        result = _verdict(delegated, path, methods)
    if result is None:
        result = _no_handling(func, handling, delegated, analysis, path)
    if note:
        result = dataclasses.replace(result,
                                     detail='%s %s' % (result.detail, note))
    return result


def _no_handling(func, handling, delegated, analysis, path):
    regions = _failure_regions(func)
    if regions:
        detail = ('%s (line %d) handles failures (%s) but nothing there '
                  'touches allocations' % (
                      METHOD_NAME, func.lineno,
                      ', '.join('%s at line %d' % (kind, line)
                                for kind, line, _body in regions)))
    else:
        detail = ('%s (line %d) has no except handler or '
                  'save_and_reraise_exception block of its own' % (
                      METHOD_NAME, func.lineno))
    calls = _describe(handling + delegated)
    if calls:
        detail += '; calls read on failure paths: %s' % calls
    followed = sorted(analysis.followed - set([METHOD_NAME]))
    if followed:
        detail += '; same-class methods followed: %s' % ', '.join(
            'self.%s()' % name for name in followed)
    detail += ('. No allocation handling on failure: the code before '
               'change I2d9ab06b.')
    return StaticResult(PREDATES, SHAPE_NO_HANDLING, None, path, func.lineno,
                        detail)


def classify_tree(tree_path):
    """Classify ``<tree_path>/nova/compute/manager.py``."""
    path = os.path.join(tree_path, *MANAGER_PATH.split('/'))
    if not os.path.isdir(tree_path):
        raise StaticCheckError('%s: not a directory' % tree_path)
    if not os.path.isfile(path):
        raise StaticCheckError('%s: no %s here; is it a nova source tree?'
                               % (tree_path, MANAGER_PATH))
    try:
        with open(path, 'rb') as source:
            data = source.read()
    except OSError as exc:
        raise StaticCheckError('%s: cannot read: %s' % (path, exc))
    return classify_source(data, path=path)
