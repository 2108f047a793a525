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

"""A recognised call that cannot bind to its definition is not a fix."""

import ast
import textwrap

import testtools

from nova_resize_checks.backport import static

# Rocky's helper takes the flavor and node too; a backport written for
# Stein calls it with three arguments.
_ROCKY_SHAPED = textwrap.dedent('''\
    class ComputeManager(object):
        def _delete_allocation_after_move(self, context, instance, migration,
                                          flavor, nodename):
            pass

        def finish_resize(self, context, instance, migration):
            try:
                pass
            except Exception:
                self._delete_allocation_after_move(context, instance,
                                                   migration)
    ''')


def _bind(definition, call):
    func = ast.parse(definition).body[0]
    node = ast.parse(call).body[0].value
    return static._binding_problem(node, func)


class TestBrokenCalls(testtools.TestCase):

    def test_missing_arguments_make_it_unknown(self):
        result = static.classify_source(_ROCKY_SHAPED)
        self.assertEqual(static.UNKNOWN, result.verdict)
        self.assertEqual(static.SHAPE_BROKEN_CALL, result.shape)
        self.assertIn('needs flavor, nodename', result.detail)
        self.assertEqual(10, result.line)

    def test_matching_call_is_still_fixed(self):
        source = _ROCKY_SHAPED.rstrip()[:-1] + ', flavor, node)\n'
        result = static.classify_source(source)
        self.assertEqual(static.FIXED, result.verdict, result.detail)

    def test_binding_rules(self):
        cases = [
            ('def f(self, a, b=1): pass', 'self.f(1)', None),
            ('def f(self, a, b=1): pass', 'self.f(1, 2, 3)',
             'takes 2 positional arguments after self, 3 given'),
            ('def f(self, a): pass', 'self.f(a=1)', None),
            ('def f(self, a): pass', 'self.f(1, c=2)',
             "has no parameter 'c'"),
            ('def f(self, a, **kw): pass', 'self.f(1, c=2)', None),
            ('def f(self, *a): pass', 'self.f(1, 2, 3)', None),
            ('def f(self, a, *, k): pass', 'self.f(1)',
             'needs k, which the call does not pass'),
            ('def f(self, a, b): pass', 'self.f(*args)', None),
        ]
        for definition, call, want in cases:
            self.assertEqual(want, _bind(definition, call),
                             (definition, call))
