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


"""The code a change proposes, and the names a piece of code binds.

Shared by the claim checks of :mod:`.findings`: :func:`proposed_code` is
the Python a change would put in the test, :func:`bound_names` and
:func:`assigned_names` what code (proposed or reference) defines.
"""

import ast

from nova_resize_checks.review import model
from nova_resize_checks.review.read import diffs


def proposed_code(change):
    """The Python ``change`` proposes (its new side for a diff), or ''."""
    if change.kind in (model.TEST_FULL, model.TEST_SNIPPET):
        return change.code
    if change.kind == model.TEST_DIFF:
        return diffs.new_side(change.code)
    if change.kind == model.LINE_CHANGE:
        return change.code or ''
    return ''


def bound_names(tree):
    """Names code binds: defs, classes, assignments, ``self.X = ...``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(
                node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(
                node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split('.')[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def assigned_names(stmt):
    """Plain names a (possibly annotated or augmented) assignment sets."""
    targets = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    out = []
    for t in targets:
        for node in ast.walk(t):
            if isinstance(node, ast.Name):
                out.append(node.id)
    return out
