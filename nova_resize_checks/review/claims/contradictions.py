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


"""Proposed code whose placement assertions cannot all hold
(:data:`~model.CONTRADICTION`).

The facts are read from the assertions (``assertFlavorMatchesAllocation``,
``assertFlavorMatchesUsage``, ``assertEqual`` of usages or allocations
with an empty or zero value), per function, with :mod:`ast` (or from the
text, when it does not parse); :func:`contradictions_in` judges them.
"""

import ast
import re

from nova_resize_checks.review.claims import proposed
from nova_resize_checks.review import model
from nova_resize_checks.review.read import texts


def contradiction_findings(changes):
    """CONTRADICTION findings for the code ``changes`` propose."""
    findings = []
    for change in changes:
        if change.kind not in (model.TEST_FULL, model.TEST_SNIPPET,
                               model.TEST_DIFF):
            continue
        code = proposed.proposed_code(change)
        listing = getattr(change, 'line', 0)
        first = listing if listing > 0 else 1
        where = ('numbered as in the review\'s listing' if listing > 0
                 else 'counted in the proposed code')
        for message in contradictions_in(code, first):
            findings.append(model.Finding(
                model.CONTRADICTION,
                '%s (lines %s)' % (message, where), change.span))
    return findings


def contradictions_in(code, first_line=1):
    """Messages for placement assertions in ``code`` that cannot all hold.

    Looks, per function (or over the whole text when it does not parse),
    for: one consumer's allocation asserted against two providers or with
    two flavors on one provider; a provider asserted to have no usage and
    also an allocation or a flavor's usage; a consumer asserted to have no
    allocations and also an allocation.
    """
    tree = texts.parse_python(code)
    if tree is not None:
        groups = []
        top = []
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                groups.extend(s.body for s in node.body if isinstance(
                    s, (ast.FunctionDef, ast.AsyncFunctionDef)))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                groups.append(node.body)
            else:
                top.append(node)
        if top:
            groups.append(top)
        messages = []
        for body in groups:
            messages.extend(_analyse(_facts_from_statements(body),
                                     first_line))
        return messages
    return _analyse(_facts_from_text(code), first_line)


_WATCHED = ('assertFlavorMatchesAllocation', 'assertFlavorMatchesUsage',
            'assertEqual', 'assertDictEqual')


def _facts_from_statements(body):
    """Placement facts ``(kind, args, lineno)`` asserted by statements."""
    env = {}
    facts = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name):
                env[node.targets[0].id] = node.value
            elif isinstance(node, ast.Call):
                fact = _fact(node, env)
                if fact:
                    facts.append(fact)
    return facts


def _facts_from_text(code):
    """Like :func:`_facts_from_statements` for code that does not parse."""
    env = {}
    facts = []
    for m in re.finditer(r'\b([A-Za-z_]\w*)\s*=\s*(?=[{\w])', code):
        expr = _balanced(code, m.end())
        node = _parse_expr(expr)
        if node is not None:
            env[m.group(1)] = node
    for m in re.finditer(r'\bself\.(%s)\s*\(' % '|'.join(_WATCHED), code):
        expr = _balanced(code, m.start())
        node = _parse_expr(expr)
        if isinstance(node, ast.Call):
            fact = _fact(node, env)
            if fact:
                facts.append(fact)
    return facts


def _balanced(code, start, limit=2000):
    """The expression starting at ``start``: up to its closing bracket."""
    depth = 0
    quote = None
    end = min(len(code), start + limit)
    i = start
    while i < end:
        c = code[i]
        if quote:
            if c == '\\':
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in '\'"':
            quote = c
        elif c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth <= 0:
                return code[start:i + 1]
        elif c == '\n' and depth == 0:
            return code[start:i]
        i += 1
    return code[start:end]


def _parse_expr(text):
    try:
        return ast.parse(' '.join(text.split()), mode='eval').body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _resolve(node, env, depth=0):
    while isinstance(node, ast.Name) and node.id in env and depth < 5:
        node = env[node.id]
        depth += 1
    return node


def _is_zero_usage(node, env):
    node = _resolve(node, env)
    return (isinstance(node, ast.Dict) and node.values and all(
        isinstance(v, ast.Constant) and v.value == 0 for v in node.values))


def _usage_provider(node, env):
    node = _resolve(node, env)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == '_get_provider_usages' and node.args):
        return ast.unparse(node.args[0])
    return None


def _allocations_consumer(node, env):
    node = _resolve(node, env)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == '_get_allocations_by_server_uuid' and
            node.args):
        return ast.unparse(node.args[0])
    return None


def _arg(call, index, keyword_name):
    if len(call.args) > index:
        return call.args[index]
    for kw in call.keywords:
        if kw.arg == keyword_name:
            return kw.value
    return None


def _fact(call, env):
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    line = getattr(call, 'lineno', 0)
    if func.attr == 'assertFlavorMatchesAllocation':
        flavor = _arg(call, 0, 'flavor')
        consumer = _arg(call, 1, 'consumer_uuid')
        provider = _arg(call, 2, 'root_rp_uuid')
        if flavor is None or consumer is None or provider is None:
            return None
        return ('alloc', (ast.unparse(flavor), ast.unparse(consumer),
                          ast.unparse(provider)), line)
    if func.attr == 'assertFlavorMatchesUsage' and call.args:
        provider = ast.unparse(call.args[0])
        flavors = tuple(ast.unparse(a) for a in call.args[1:])
        if flavors:
            return ('usage', (provider, flavors), line)
        return ('no_usage', (provider,), line)
    if func.attr in ('assertEqual', 'assertDictEqual') and \
            len(call.args) >= 2:
        a, b = call.args[0], call.args[1]
        for zero, other in ((a, b), (b, a)):
            if _is_zero_usage(zero, env):
                provider = _usage_provider(other, env)
                if provider:
                    return ('no_usage', (provider,), line)
            empty = _resolve(zero, env)
            if isinstance(empty, ast.Dict) and not empty.keys:
                consumer = _allocations_consumer(other, env)
                if consumer:
                    return ('no_alloc', (consumer,), line)
    return None


def _analyse(facts, first_line=1):
    """Messages for the contradictions among ``facts``, line-shifted."""
    facts = [(k, a, line + first_line - 1) for k, a, line in facts]
    messages = []
    for check in _CHECKS:
        messages.extend(check(facts))
    return messages


def _allocations_by_consumer(facts):
    """{consumer: [(provider, flavor, line)]} of the 'alloc' facts."""
    by_consumer = {}
    for kind, args, line in facts:
        if kind == 'alloc':
            flavor, consumer, provider = args
            by_consumer.setdefault(consumer, []).append(
                (provider, flavor, line))
    return by_consumer


def _split_allocations(facts):
    """One consumer's allocation on two providers, or two flavors on one."""
    messages = []
    for consumer, items in _allocations_by_consumer(facts).items():
        providers = sorted({p for p, _, _ in items})
        if len(providers) > 1:
            messages.append(
                'the allocation of consumer %s is asserted against '
                'different providers (%s); assertFlavorMatchesAllocation '
                'requires all of it in one provider tree' %
                (consumer, ', '.join(providers)))
        for provider in providers:
            flavors = sorted({f for p, f, _ in items if p == provider})
            if len(flavors) > 1:
                messages.append(
                    'consumer %s is asserted to hold both %s on %s' %
                    (consumer, ' and '.join(flavors), provider))
    return messages


def _empty_but_held(facts):
    """A provider with no usage that also holds an allocation or usage."""
    messages = []
    empty_providers = {f[1][0]: f[2] for f in facts if f[0] == 'no_usage'}
    for provider in sorted(empty_providers):
        held = [line for kind, args, line in facts
                if kind == 'alloc' and args[2] == provider]
        held += [f[2] for f in facts if f[0] == 'usage' and
                 f[1][0] == provider]
        if held:
            messages.append(
                'provider %s is asserted to have no usage (line %d) and '
                'also to hold an allocation (line %d)' %
                (provider, empty_providers[provider], min(held)))
    return messages


def _different_usages(facts):
    """A provider asserted to have two different usages."""
    usages = {}
    for f in facts:
        if f[0] == 'usage':
            usages.setdefault(f[1][0], set()).add(f[1][1])
    return ['provider %s is asserted to have different usages (%s)' %
            (provider, ' vs '.join(', '.join(s) for s in
                                   sorted(flavor_sets)))
            for provider, flavor_sets in sorted(usages.items())
            if len(flavor_sets) > 1]


def _unallocated_but_held(facts):
    """A consumer with no allocations that also holds an allocation."""
    empty_consumers = {f[1][0] for f in facts if f[0] == 'no_alloc'}
    return ['consumer %s is asserted to have no allocations and also to '
            'hold an allocation' % consumer
            for consumer in sorted(empty_consumers &
                                   set(_allocations_by_consumer(facts)))]


# Each check reads the facts and gives its messages, in this order.
_CHECKS = (_split_allocations, _empty_but_held, _different_usages,
           _unallocated_but_held)
