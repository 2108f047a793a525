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


"""Names a review uses that exist nowhere (:data:`~model.UNKNOWN_NAME`).

A name backticked in prose, or read by proposed code, is known when the
reference sources, nova's test helpers (:func:`nova_helper_names`, read
with :mod:`ast`: nothing here imports nova), TestCase, the builtins or
the proposed code itself have it.
"""

import ast
import builtins
import functools
import importlib.util
import keyword
import os
import re
import sys

from nova_resize_checks import frameworks
from nova_resize_checks.review.claims import proposed
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts

# Nova modules whose names a test of this kind may use, relative to the
# nova package directory.
HELPER_MODULES = (
    'tests/functional/integrated_helpers.py',
    'test.py',
    'tests/functional/api/client.py',
    'virt/fake.py',
)
_CLIENT_ATTRS = ('api', 'admin_api')
_FILE_NAME_RE = re.compile(
    r'\.(?:py|pyc|txt|cfg|ini|json|ya?ml|rst|md|sh|conf|log|html)$')
# Commit ids ("f4bb672106") and constants, resource classes or environment
# variables (``PCPU``, ``OS_NOVA_DISABLE_EVENTLET_PATCHING``) named in prose
# are not claims about the test's code.
_NOT_A_CODE_NAME_RE = re.compile(r'^(?:(?=[0-9a-f]*\d)[0-9a-f]{7,40}|'
                                 r'[A-Z][A-Z0-9_]*)$')


def nova_package_dir():
    """The installed nova package directory, found without importing it."""
    try:
        spec = importlib.util.find_spec('nova')
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def nova_helper_names(nova_dir=None, findings=None):
    """Names defined or used as attributes by nova's test helpers.

    Reads :data:`HELPER_MODULES` under ``nova_dir`` (default: the installed
    nova) with :mod:`ast`.  Gives a frozenset: class and function names,
    class and module attributes, ``self.X`` attributes set or read, and the
    modules' own names.  When nothing can be read the set is empty and, if
    ``findings`` is a list, a finding saying so is appended to it.
    """
    if nova_dir is None:
        nova_dir = nova_package_dir()
    if nova_dir is None:
        names, problems = frozenset(), ['nova is not installed']
    else:
        names, problems = _helper_names(str(nova_dir))
    if findings is not None and not names:
        findings.append(model.Finding(
            model.UNKNOWN_NAME,
            'nova helper names unavailable (%s); names are checked against '
            'the reference sources only' % '; '.join(problems)))
    return names


@functools.lru_cache(maxsize=8)
def _helper_names(nova_dir):
    names = set()
    problems = []
    for rel in HELPER_MODULES:
        path = os.path.join(nova_dir, rel)
        try:
            with open(path, 'rb') as f:
                tree = ast.parse(f.read(), path)
        except (OSError, SyntaxError, ValueError) as e:
            problems.append('%s: %s' % (rel, e))
            continue
        names.add(os.path.splitext(os.path.basename(rel))[0])
        names.update(_defined_names(tree))
    return frozenset(names), tuple(problems)


def _defined_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    names.update(proposed.assigned_names(stmt))
        elif isinstance(node, ast.Attribute) and isinstance(
                node.value, ast.Name) and node.value.id in ('self', 'cls'):
            names.add(node.attr)
    for stmt in tree.body:
        names.update(proposed.assigned_names(stmt))
    return names


_BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | \
    frozenset(('self', 'cls', '__name__', '__file__'))


def known_names(changes, tokens, helper_names):
    """Every name a review may use.

    ``tokens`` of the reference sources, ``helper_names``, TestCase's
    names, the builtins and what ``changes`` bind or rename to.
    """
    defined = set()
    for change in changes:
        code = proposed.proposed_code(change)
        tree = texts.parse_python(code) if code.strip() else None
        if tree is not None:
            defined.update(proposed.bound_names(tree))
        if change.kind == model.RENAME:
            defined.add(change.new)
    return (tokens | helper_names | frameworks.testcase_names() |
            _BUILTIN_NAMES | defined)


def _nova_module_exists(dotted, known):
    """Whether ``nova.a.b`` is a module (or a known name in one)."""
    base = nova_package_dir()
    if base is None:
        return True
    parts = dotted.split('.')[1:]
    for cut in range(len(parts), -1, -1):
        path = os.path.join(base, *parts[:cut])
        if os.path.isdir(path) or os.path.isfile(path + '.py'):
            return all(p in known for p in parts[cut:])
    return False


# "the test never calls `X`", "it does not use `Y`": mentions, not claims.
NEGATED = re.compile(r"\b(?:never|not|no|nor|neither|without|n't|absent|"
                     r"avoids?)\b", re.I)


@functools.lru_cache(maxsize=1)
def _nova_source_names():
    """Names defined in nova's compute manager (reviews of nova name them)."""
    base = nova_package_dir()
    names = set()
    if base is None:
        return frozenset()
    path = os.path.join(base, 'compute', 'manager.py')
    try:
        with open(path) as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute):
            # self.x, exception.AllocationDeleteFailed, ...
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return frozenset(names)


def _name_known(name, known):
    if name.startswith('nova.') or name == 'nova':
        return _nova_module_exists(name, known)
    top = name.split('.')[0]
    last = name.split('.')[-1]
    if top in sys.stdlib_module_names or hasattr(builtins, top):
        return True
    return last in known or last in _nova_source_names()


def _hint(name, known):
    last = name.split('.')[-1]
    for guess in ('_' + last, last.lstrip('_')):
        if guess != last and guess in known:
            return ' (did you mean `%s`?)' % guess
    return ''


def _rename_targets(masked):
    """Code span indexes naming a rename's proposed new names."""
    m = re.search(r'renam\w*', masked, re.I)
    if not m:
        return set()
    to = re.search(r'\b(?:to|as|into)\b', masked[m.end():], re.I)
    if not to:
        return set()
    rest = masked[m.end() + to.end():]
    return {int(x) for x in re.findall(prose.PH, rest)}


def prose_names(sentences, known):
    findings = []
    seen = set()
    for sentence in sentences:
        if NEGATED.search(sentence.masked):
            continue
        skip = _rename_targets(sentence.masked)
        for x in re.findall(prose.PH, sentence.masked):
            index = int(x)
            if index in skip:
                continue
            name = prose.name_of(sentence.codes[index])
            if not name or name in seen or _FILE_NAME_RE.search(name) or \
                    _NOT_A_CODE_NAME_RE.match(name):
                continue
            seen.add(name)
            if not _name_known(name, known):
                findings.append(model.Finding(
                    model.UNKNOWN_NAME,
                    '`%s` exists neither in the test nor in nova\'s test '
                    'helpers%s' % (sentence.codes[index].strip(),
                                   _hint(name, known)),
                    model.Span(sentence.line, sentence.end_line)))
    return findings


def code_names(changes, refs, helper_names, known):
    findings = []
    seen = set()
    for change in changes:
        code = proposed.proposed_code(change)
        if not code.strip():
            continue
        tree = texts.parse_python(code)
        if tree is None:
            unknown = _regex_unknown(change, code, known)
        else:
            unknown = _ast_unknown(tree, refs, helper_names, known)
        for name in unknown:
            if name in seen:
                continue
            seen.add(name)
            findings.append(model.Finding(
                model.UNKNOWN_NAME,
                'proposed code uses `%s`, which exists neither in the test '
                'nor in nova\'s test helpers%s' % (name, _hint(name, known)),
                change.span))
    return findings


def _regex_unknown(change, code, known):
    if change.kind == model.TEST_DIFF:
        code = '\n'.join(ln[1:] for ln in change.code.split('\n')
                         if ln.startswith('+') and
                         not ln.startswith('+++ '))
    out = []
    for m in re.finditer(r'\bself\.(?:(?:api|admin_api)\.)?([A-Za-z_]\w*)',
                         code):
        if m.group(1) not in known:
            out.append('self.' + m.group(0)[5:])
    return out


def _ast_unknown(tree, refs, helper_names, known):
    local = proposed.bound_names(tree)
    ok = known | local
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(
                node.ctx, ast.Load):
            base = node.value
            if isinstance(base, ast.Name) and base.id == 'self':
                if node.attr not in ok:
                    out.append((node.lineno, 'self.' + node.attr))
            elif (isinstance(base, ast.Attribute) and
                  isinstance(base.value, ast.Name) and
                  base.value.id == 'self' and base.attr in _CLIENT_ATTRS):
                if node.attr not in ok:
                    out.append((node.lineno,
                                'self.%s.%s' % (base.attr, node.attr)))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in ok:
                out.append((node.lineno, node.id))
    return [name for _, name in sorted(out)]
