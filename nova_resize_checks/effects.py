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


"""What a statement of a test can do: read, raise, or change a run.

The predicates :mod:`~nova_resize_checks.known_caught` reasons with, over
``ast`` nodes: which assertions only compare what they are given, which
expressions have no side effect, which added statements cannot end a run
another way than by failing, and which assignments only bind a value.
Each is sound only as far as its lists are: a doubt answers False.
"""

import ast
import builtins

from nova_resize_checks import assertions as assertions_mod

# Calls a changed assertion may make without possibly changing what the
# rest of the test sees: placement and API reads, and pure builtins.
_READ_ONLY_CALLS = frozenset((
    'self._get_provider_usages', 'self._get_allocations_by_server_uuid',
    'self._get_provider_uuid_by_host', 'self.get_migration_uuid_for_instance',
    'self._resources_from_flavor', 'self._get_all_rp_uuids_in_a_tree',
    'len', 'dict', 'set', 'list', 'tuple', 'sorted', 'str', 'int', 'sum',
    'min', 'max', 'abs', 'bool'))


# Assertions that only compare the values they are given (assertRaises
# and assertThat, say, may call what they are given).
READ_ONLY_ASSERTIONS = frozenset((
    'assertEqual', 'assertNotEqual', 'assertIn', 'assertNotIn', 'assertIs',
    'assertIsNot', 'assertIsNone', 'assertIsNotNone', 'assertTrue',
    'assertFalse', 'assertGreater', 'assertGreaterEqual', 'assertLess',
    'assertLessEqual', 'assertDictEqual', 'assertListEqual',
    'assertSetEqual', 'assertTupleEqual', 'assertSequenceEqual',
    'assertCountEqual', 'assertItemsEqual', 'assertAlmostEqual',
    'assertNotAlmostEqual', 'assertIsInstance', 'assertNotIsInstance',
    'assertRegex', 'assertNotRegex', 'assertFlavorMatchesAllocation',
    'assertFlavorMatchesUsage', 'assertRequestMatchesUsage'))


_dotted = assertions_mod.dotted


def assertion_call(stmt):
    """The self.assert* call a statement consists of, or None."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = _dotted(stmt.value.func)
        if name.startswith('self.assert'):
            return stmt.value
    return None


def side_effect_free(expression, assertion=None):
    """True when evaluating ``expression`` only reads.

    Calls other than placement/API reads and pure builtins are refused,
    except the ``assertion`` call itself (whose arguments must still only
    read), as are lambdas and assignment expressions.
    """
    for node in ast.walk(expression):
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await,
                             ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Call) and node is not assertion and (
                _dotted(node.func) not in _READ_ONLY_CALLS or node.keywords
                or any(isinstance(a, ast.Starred) for a in node.args)):
            # (``sorted(x, key=d.update)``: a "pure" builtin given a
            # function calls it.  Reads take no keywords.)
            return False
    return True


# Calls an added statement may make and still be known not to raise: the
# placement and API reads of nova's test helpers (what they are asked for
# exists under every mutant: the providers, the server, its migration).
_NON_RAISING_READS = frozenset(
    c for c in _READ_ONLY_CALLS if c.startswith('self.'))
# Keys every server the API returns and every provider's usages hold,
# whatever nova did (not ``fault``: only a server in ERROR has one).
_STABLE_KEYS = frozenset((
    'id', 'name', 'status', 'flavor', 'OS-EXT-SRV-ATTR:host',
    'OS-EXT-STS:vm_state', 'OS-EXT-STS:task_state', 'VCPU', 'MEMORY_MB',
    'DISK_GB'))
# Expressions whose evaluation cannot raise or hang on the values a test
# holds: names, literals, ``self.<attribute>``, truth and equality.
# (Not ``and``/``or``: they give one of their operands, so the type of
# what they make can change with the values, round 7.)
_NON_RAISING_NODES = (
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple)
# Assertions that, given such values, fail or pass and do nothing else:
# not a regular expression (its time depends on the text, round 7), nor
# one that hashes, subtracts or calls what it is given.
_NON_RAISING_ASSERTIONS = frozenset((
    'assertEqual', 'assertNotEqual', 'assertIs', 'assertIsNot',
    'assertIsNone', 'assertIsNotNone', 'assertTrue', 'assertFalse',
    'assertIn', 'assertNotIn', 'assertDictEqual', 'assertListEqual',
    'assertTupleEqual', 'assertFlavorMatchesAllocation',
    'assertFlavorMatchesUsage'))


def cannot_raise(stmt, assertion=None):
    """True when an added statement can only bind a value or fail.

    :func:`~nova_resize_checks.known_caught.still_caught` reasons that a
    kept assertion is still reached under a mutant, so an added statement
    before it must not end the run another way: ``1 // (usage == {...})``
    raises ZeroDivisionError under exactly the mutants that change
    ``usage`` (an error, which catches no mutant; round 6).  Subscripts,
    arithmetic, ordering comparisons and builtins can raise; only what
    :data:`_NON_RAISING_NODES` lists, subscripts by :data:`_STABLE_KEYS`,
    and placement reads of such arguments (and their ``len``) are allowed.
    ``assertion``: the statement's assertion call, whose own failure is
    what it is for.
    """
    value = assertion if assertion is not None else getattr(
        stmt, 'value', None)
    if value is None or (assertion is not None and (
            not isinstance(assertion.func, ast.Attribute) or
            assertion.func.attr not in _NON_RAISING_ASSERTIONS)):
        return False
    todo = list(value.args) + [k.value for k in value.keywords] \
        if assertion is not None else [value]
    while todo:
        node = todo.pop()
        check = _NODE_CHECKS.get(type(node))
        if check is not None:
            children = check(node)
        elif isinstance(node, _NON_RAISING_NODES):
            children = list(ast.iter_child_nodes(node))
        else:
            children = None
        if children is None:
            return False
        todo.extend(children)
    return True


# What each kind of node may hold and still not raise: a check returns the
# nodes to look at next, or None when the node itself may raise.
def _call_children(node):
    if _dotted(node.func) == 'len' and len(node.args) == 1 and \
            isinstance(node.args[0], ast.Call):
        # The size of what a read returns (a dict, whatever nova did).
        return [node.args[0]]
    if _dotted(node.func) not in _NON_RAISING_READS or node.keywords:
        return None
    return list(node.args)


def _attribute_children(node):
    if isinstance(node.value, ast.Name) and node.value.id == 'self':
        return []
    return None


def _subscript_children(node):
    if isinstance(node.value, ast.Name) and isinstance(
            node.slice, ast.Constant) and node.slice.value in _STABLE_KEYS:
        return []
    return None


def _unary_children(node):
    return [node.operand] if isinstance(node.op, ast.Not) else None


def _container_children(node):
    # Keys and members are hashed: only literals are known to be hashable
    # whatever nova did.
    keys = node.keys if isinstance(node, ast.Dict) else node.elts
    if not all(isinstance(k, ast.Constant) for k in keys):
        return None
    return list(getattr(node, 'values', ()))


def _compare_children(node):
    if not all(isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot))
               for op in node.ops):
        return None
    return [node.left] + node.comparators


_NODE_CHECKS = {
    ast.Call: _call_children,
    ast.Attribute: _attribute_children,
    ast.Subscript: _subscript_children,
    ast.UnaryOp: _unary_children,
    ast.Dict: _container_children,
    ast.Set: _container_children,
    ast.Compare: _compare_children,
}


# Names a read-only assignment may never bind: the test case itself and
# the builtins every statement may call (``self = <a mock>`` would turn
# every later assertion into a call that cannot fail).
_NEVER_REBOUND = frozenset(('self', 'cls')) | frozenset(dir(builtins))


def read_only_assignment(stmt, module_names=frozenset()):
    """The name a ``name = <read-only expression>`` statement binds.

    The expression must compute a value (a read, a literal, a comparison)
    or copy a local one, not alias an object: an attribute path, or a
    module-level name, ``self`` or a builtin, may reach anything, a mock
    included.  The name bound must not be one of :data:`_NEVER_REBOUND`.
    """
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], ast.Name)):
        return None
    value = stmt.value
    if stmt.targets[0].id in _NEVER_REBOUND or \
            isinstance(value, ast.Attribute) or (
                isinstance(value, ast.Name) and (
                    value.id in _NEVER_REBOUND or
                    value.id in module_names)):
        return None
    return stmt.targets[0].id if side_effect_free(value) else None
