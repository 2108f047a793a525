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


"""Things called unused, or asked to be removed, that the reference test
uses (:data:`~model.USED_NOT_UNUSED`).
"""

import ast

from nova_resize_checks.review.claims import proposed
from nova_resize_checks.review.claims import words
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose

# At most this many distinct names are checked for use (each costs a walk
# over the reference trees).
_MAX_NAMES = 200


def _usage(name, refs, helper_names):
    """``(reference name, line, how)`` of the first use of ``name``."""
    for ref in refs.ordered():
        tree = refs.trees.get(ref)
        if tree is None:
            continue
        uses = list(_uses(tree, name, helper_names))
        if uses:
            line, how = min(uses)
            return ref, line, how
    return None


def _uses(tree, name, helper_names):
    """``(line, how)`` of each use of ``name`` in ``tree``."""
    for node in ast.walk(tree):
        if _reads(node, name):
            yield node.lineno, 'read'
        elif isinstance(node, ast.ClassDef):
            yield from _class_uses(node, name, helper_names)


def _reads(node, name):
    """Whether ``node`` reads ``name`` (a name or an attribute)."""
    if isinstance(node, ast.Name):
        read = node.id
    elif isinstance(node, ast.Attribute):
        read = node.attr
    else:
        return False
    return read == name and isinstance(node.ctx, ast.Load)


def _class_uses(node, name, helper_names):
    """Uses of ``name`` a class makes without reading it.

    A test class is run by the test runner; nova's test base classes read
    the class attributes they define, and the framework calls the methods
    they define (and ``test*`` methods).
    """
    if node.name == name and any(
            isinstance(s, ast.FunctionDef) and
            s.name.startswith('test') for s in node.body):
        yield node.lineno, 'run by the test runner'
    for stmt in node.body:
        how = _member_use(stmt, name, helper_names)
        if how:
            yield stmt.lineno, how


def _member_use(stmt, name, helper_names):
    """How the test framework uses class member ``stmt`` named ``name``."""
    if name in proposed.assigned_names(stmt) and name in helper_names:
        return "read by nova's test base classes"
    if (isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and
            stmt.name == name and (
                name in helper_names or name.startswith('test'))):
        return 'called by the test framework'
    return None


def unused_claims(sentences, changes, refs, helper_names):
    claims = []
    for sentence in sentences:
        for index in words.unused_names(sentence.masked):
            name = prose.name_of(sentence.codes[index])
            if name and '.' not in name:
                claims.append((name, model.Span(sentence.line,
                                                sentence.end_line),
                               'called unused'))
    # Asking to remove a name the test only calls (``assertIn``) asks to
    # remove the call; only a name the test binds can be "used".
    bound = set()
    for tree in refs.trees.values():
        bound |= proposed.bound_names(tree)
    for change in changes:
        if (change.kind == model.REMOVE and change.old and not change.line
                and not change.unit and prose.name_of(change.old) in
                bound):
            claims.append((change.old, change.span, 'to be removed'))
    findings = []
    seen = set()
    for name, span, how in claims:
        if name in seen or len(seen) >= _MAX_NAMES:
            continue
        seen.add(name)
        use = _usage(name, refs, helper_names)
        if use is None:
            continue
        ref, line, what = use
        text = refs.lines[ref][line - 1].strip() if line <= len(
            refs.lines[ref]) else ''
        findings.append(model.Finding(
            model.USED_NOT_UNUSED,
            '`%s` is %s, but the %s source uses it (line %d, %s: %s)' %
            (name, how, ref, line, what, text), span))
    return findings
