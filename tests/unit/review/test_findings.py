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

import json
import os
import tempfile

import testtools

from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import findings
from nova_resize_checks.review import model
from nova_resize_checks.review.read import container

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, '..', '..', 'samples', 'reviews')
TEST_PATH = os.path.join(HERE, '..', '..', 'functional',
                         'test_bug_1825537.py')

REFERENCE = '''\
class FinishResizeErrorAllocationCleanupTestCase(base.TestCase):

    compute_driver = 'fake.Driver'

    def setUp(self):
        super(FinishResizeErrorAllocationCleanupTestCase, self).setUp()
        flavors = self.api.get_flavors()
        self.flavor1 = flavors[0]
        self.flavor2 = flavors[1]
        unused_thing = 3

    def _resize_and_assert_error(self, server, dest_host):
        req = {'resize': {'flavorRef': self.flavor2['id']}}
        self.api.post_server_action(server['id'], req)
        self.assertEqual(dest_host, server['host'])

    def test_finish_resize_fails_allocation_cleanup(self):
        server = self._boot_and_check_allocations(self.flavor1, 'host1')
        self._resize_and_assert_error(server, 'host2')
        dest_rp_uuid = self._get_provider_uuid_by_host('host2')
        self.assertFlavorMatchesAllocation(
            self.flavor2, server['id'], dest_rp_uuid)
'''
# An "upstream" variant whose line 3 differs.
UPSTREAM = REFERENCE.replace("    compute_driver = 'fake.Driver'",
                             "    compute_driver = 'fake.FailDriver'")
HELPERS = frozenset((
    'compute_driver', '_boot_and_check_allocations', '_get_provider_usages',
    '_get_provider_uuid_by_host', 'assertFlavorMatchesAllocation',
    'assertFlavorMatchesUsage', '_wait_for_state_change',
    '_get_allocations_by_server_uuid', 'get_flavors', 'post_server_action',
    'delete_server', 'api', 'admin_api', 'setUp'))


def check(text, refs=None, helpers=HELPERS):
    refs = refs or {'test': REFERENCE}
    parsed = container.parse_text(text)
    changes, _ = extract.extract(parsed, refs)
    return findings.check_claims(parsed, changes, refs, helpers)


def kinds(found):
    return [f.kind for f in found]


def of_kind(found, kind):
    return [f for f in found if f.kind == kind]


class TestHelperNames(testtools.TestCase):

    def test_installed_nova(self):
        if findings.nova_package_dir() is None:
            self.skipTest('nova is not installed')
        names = findings.nova_helper_names()
        for name in ('assertFlavorMatchesAllocation',
                     '_wait_for_migration_status', '_get_provider_usages',
                     'compute_driver', 'ProviderUsageBaseTestCase',
                     'post_server_action', 'FakeFinishMigrationFailDriver',
                     'admin_api', 'flags', 'integrated_helpers'):
            self.assertIn(name, names)
        self.assertNotIn('_release_allocations', names)

    def test_from_a_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, 'tests', 'functional'))
            with open(os.path.join(tmp, 'tests', 'functional',
                                   'integrated_helpers.py'), 'w') as f:
                f.write('class H(object):\n    attr = 1\n'
                        '    def _helper(self):\n        self.x = self.y\n')
            found = []
            names = findings.nova_helper_names(tmp, found)
        self.assertEqual({'H', 'attr', '_helper', 'x', 'y',
                          'integrated_helpers'}, set(names))
        self.assertEqual([], found)

    def test_missing_directory(self):
        found = []
        names = findings.nova_helper_names('/nonexistent/nova', found)
        self.assertEqual(frozenset(), names)
        self.assertEqual([model.UNKNOWN_NAME], kinds(found))
        self.assertIn('unavailable', found[0].message)

    def test_empty_helper_names_are_reported(self):
        found = check('Nothing to see.', helpers=frozenset())
        self.assertEqual([model.UNKNOWN_NAME], kinds(found))
        self.assertIn('no nova helper names', found[0].message)


class TestUnknownNames(testtools.TestCase):

    def test_backticked_names(self):
        found = check(
            'This calls `wait_for_state_change` and `self.flavor1`, '
            '`self.assertIn()`, `len` and `nova.compute.manager`, see '
            '`test_bug_1825537.py`; `not an identifier` is ignored.')
        self.assertEqual([model.UNKNOWN_NAME], kinds(found))
        self.assertIn('`wait_for_state_change`', found[0].message)
        self.assertIn('did you mean `_wait_for_state_change`',
                      found[0].message)
        self.assertEqual(model.Span(1, 1), found[0].span)

    def test_missing_nova_module(self):
        if findings.nova_package_dir() is None:
            self.skipTest('nova is not installed')
        found = check('It imports `nova.tests.nonexistent_helpers_module`, '
                      '`nova.tests.functional.integrated_helpers` and '
                      '`nova.virt.fake.FakeFinishMigrationFailDriver`.',
                      helpers=findings.nova_helper_names())
        self.assertEqual([model.UNKNOWN_NAME], kinds(found))
        self.assertIn('nonexistent', found[0].message)

    def test_rename_targets_are_new_names(self):
        found = check('The variable `dest_host` should be renamed to '
                      '`destination_host` or `failover_host`.')
        self.assertEqual([], found)

    def test_proposed_code_names(self):
        found = check(
            'Fixed code:\n```python\ntry:\n'
            "    self.api.post_server_action(server['id'], req)\n"
            'except Exception as e:\n'
            "    self.api.delete_everything(server['id'])\n"
            "    self._release_allocations(server['id'])\n"
            '    self._local_helper()\n    helper_fn(e)\n    raise e\n'
            'def _local_helper(self):\n    return 1\n```\n')
        self.assertEqual(
            ['self.api.delete_everything', 'self._release_allocations',
             'helper_fn'],
            [f.message.split('`')[1] for f in found])
        self.assertEqual({model.UNKNOWN_NAME}, set(kinds(found)))
        self.assertEqual(model.Span(2, 13), found[0].span)

    def test_unparseable_code_falls_back_to_regex(self):
        found = check('Fixed code:\n```python\nif x\n'
                      '    self._nope(server)\n```\n')
        self.assertEqual(['self._nope'],
                         [f.message.split('`')[1] for f in found])

    def test_names_defined_in_proposals_are_known(self):
        found = check('Use the new `_check_dest` helper. Updated code:\n'
                      '```python\ndef _check_dest(self):\n'
                      '    return self.flavor2\n```\n')
        self.assertEqual([], found)


class TestUnused(testtools.TestCase):

    def test_used_things_called_unused(self):
        found = check(
            'Unused variables: the code has some unused variables, such as '
            '`flavors` and `compute_driver`, which can be removed. The '
            'unused argument `server` can be removed.')
        self.assertEqual([model.USED_NOT_UNUSED] * 3, kinds(found))
        self.assertIn('`flavors` is called unused', found[0].message)
        self.assertIn('line 8', found[0].message)
        self.assertIn("read by nova's test base classes", found[1].message)
        self.assertIn('line 14', found[2].message)

    def test_truly_unused_is_fine(self):
        self.assertEqual([], check('`unused_thing` is never used.'))

    def test_removal_of_a_used_method(self):
        found = check('The method `_resize_and_assert_error` can be '
                      'removed.')
        self.assertEqual([model.USED_NOT_UNUSED], kinds(found))
        self.assertIn('to be removed', found[0].message)

    def test_test_methods_and_overrides_are_used(self):
        found = check('`setUp` and `test_finish_resize_fails_allocation_'
                      'cleanup` are unused.')
        self.assertEqual([model.USED_NOT_UNUSED] * 2, kinds(found))


class TestLineMismatch(testtools.TestCase):

    def test_listing_matching_some_reference(self):
        text = ("Quoted:\n```python\n3     compute_driver = 'fake.FailDriver'"
                "\n```\n")
        self.assertEqual([], check(text, {'test': REFERENCE,
                                          'upstream': UPSTREAM}))
        found = check(text)
        self.assertEqual([model.LINE_MISMATCH], kinds(found))
        self.assertIn('line 3', found[0].message)

    def test_quotes_are_judged_against_the_reviewed_version(self):
        text = ("Quoted:\n```python\n3     compute_driver = 'fake.FailDriver'"
                "\n```\n")
        # Without --reviewed every known version counts; with it, only the
        # reviewed one does.
        self.assertEqual([], check(text, {'test': REFERENCE,
                                          'upstream': UPSTREAM}))
        found = check(text, {'test': REFERENCE, 'upstream': UPSTREAM,
                             'reviewed': REFERENCE})
        self.assertEqual([model.LINE_MISMATCH], kinds(found))
        self.assertEqual([], check(text, {'test': REFERENCE,
                                          'reviewed': UPSTREAM}))

    def test_glued_colon_is_tolerated(self):
        self.assertEqual([], check(
            '1. `7         flavors = self.api.get_flavors():`: This line '
            'gets the flavors.'))

    def test_inline_listings_are_aggregated(self):
        found = check(
            '1. `1 class Wrong(object):`: This line.\n'
            '2. `7         flavors = self.api.get_flavors()`: This line.\n'
            '3. `8         self.flavor2 = flavors[0]`: This line.\n')
        self.assertEqual([model.LINE_MISMATCH], kinds(found))
        self.assertEqual(model.Span(1, 3), found[0].span)
        self.assertIn('2 quoted line(s) (1, 8)', found[0].message)

    def test_proposed_listings_are_not_quotes(self):
        self.assertEqual([], check(
            'The fixed code should look like:\n'
            '8         self.flavor1 = flavors[1]\n'
            '9         self.flavor2 = flavors[0]\n'))

    def test_line_change_checks(self):
        found = check('Change line 400 to `x = 1`.')
        self.assertEqual([model.LINE_MISMATCH], kinds(found))
        self.assertIn('beyond the end', found[0].message)

    def test_leading_line_reference(self):
        found = check('In line 3, the attribute `compute_driver` is set. '
                      'In line 5, the attribute `compute_driver` is odd.')
        self.assertEqual([model.LINE_MISMATCH], kinds(found))
        self.assertIn('line 5', found[0].message)


class TestContradictions(testtools.TestCase):

    def test_two_providers_and_no_usage(self):
        code = '''
def test(self):
    self.assertFlavorMatchesAllocation(
        self.flavor2, server['id'], dest_rp_uuid)
    dest_rp_usages = self._get_provider_usages(dest_rp_uuid)
    no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}
    self.assertEqual(no_usage, dest_rp_usages)
    self.assertFlavorMatchesAllocation(
        self.flavor2, server['id'], source_rp_uuid)
'''
        messages = findings.contradictions_in(code)
        self.assertEqual(2, len(messages))
        self.assertIn('different providers (dest_rp_uuid, source_rp_uuid)',
                      messages[0])
        self.assertIn('no usage (line 7)', messages[1])
        self.assertIn('allocation (line 3)', messages[1])

    def test_other_forms(self):
        code = '''
self.assertFlavorMatchesUsage(dest_rp_uuid)
self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)
self.assertFlavorMatchesAllocation(self.flavor1, server['id'], dest_rp_uuid)
self.assertFlavorMatchesAllocation(self.flavor2, server['id'], dest_rp_uuid)
self.assertEqual({}, self._get_allocations_by_server_uuid(server['id']))
self.assertFlavorMatchesUsage(source_rp_uuid, self.flavor1)
self.assertFlavorMatchesUsage(source_rp_uuid, self.flavor2)
'''
        messages = findings.contradictions_in(code)
        self.assertEqual(4, len(messages), messages)
        self.assertIn('both self.flavor1 and self.flavor2', messages[0])
        self.assertIn('provider dest_rp_uuid is asserted to have no usage',
                      messages[1])
        self.assertIn('different usages', messages[2])
        self.assertIn('no allocations', messages[3])

    def test_unparseable_code(self):
        code = ('    if broken\n'
                '        self.assertFlavorMatchesAllocation(\n'
                "            self.flavor2, server['id'], dest_rp_uuid)\n"
                '        self.assertEqual(\n'
                "            {'VCPU': 0, 'MEMORY_MB': 0},\n"
                '            self._get_provider_usages(dest_rp_uuid))\n')
        self.assertEqual(1, len(findings.contradictions_in(code)))

    def test_consistent_tests(self):
        with open(TEST_PATH) as f:
            self.assertEqual([], findings.contradictions_in(f.read()))
        # Separate test methods do not contradict each other.
        code = '''
class T(object):
    def test_a(self):
        self.assertFlavorMatchesAllocation(self.f, s, dest)
    def test_b(self):
        self.assertFlavorMatchesAllocation(self.f, s, source)
'''
        self.assertEqual([], findings.contradictions_in(code))

    def test_contradiction_finding_for_a_change(self):
        found = check(
            "Here's the updated code with the fix applied:\n```python\n"
            '80         self.assertFlavorMatchesAllocation(\n'
            "81             self.flavor2, server['id'], dest_rp_uuid)\n"
            '82         self.assertFlavorMatchesAllocation(\n'
            "83             self.flavor2, server['id'], source_rp_uuid)\n"
            '```\n')
        found = of_kind(found, model.CONTRADICTION)
        self.assertEqual(1, len(found))
        self.assertEqual(model.Span(2, 7), found[0].span)


class TestSamples(testtools.TestCase):

    def test_sample_findings(self):
        with open(TEST_PATH) as f:
            refs = {'test': f.read()}
        if findings.nova_package_dir() is None:
            self.skipTest('nova is not installed')
        helpers = findings.nova_helper_names()
        names = sorted(n for n in os.listdir(SAMPLES)
                       if not n.endswith('.expect.json'))
        self.assertGreaterEqual(len(names), 12)
        for name in names:
            with open(os.path.join(
                    SAMPLES, name.rsplit('.', 1)[0] + '.expect.json')) as f:
                expect = json.load(f)
            parsed = container.read_review(os.path.join(SAMPLES, name))
            changes, found = extract.extract(parsed, refs)
            found += findings.check_claims(parsed, changes, refs, helpers)
            # unsafe-code comes from the safety gate, not from here.
            wanted = set(expect['findings']) - {model.UNSAFE_CODE}
            self.assertEqual(wanted, set(kinds(found)), name)


class TestFindingsOnlyWhenTrue(testtools.TestCase):

    def test_negated_and_stdlib_mentions_are_not_unknown_names(self):
        from nova_resize_checks.review.claims import unknown_names as names_mod

        self.assertTrue(names_mod._name_known('os.system', set()))
        self.assertTrue(names_mod._name_known('pickle.loads', set()))
        self.assertTrue(names_mod.NEGATED.search(
            'The test never calls it.'))
        self.assertFalse(names_mod.NEGATED.search('Remove the call.'))

    def test_nova_manager_methods_are_known(self):
        from nova_resize_checks.review.claims import unknown_names as names_mod

        self.assertTrue(names_mod._name_known(
            '_delete_allocation_after_move', set()))
        self.assertFalse(names_mod._name_known('_no_such_helper_x',
                                               set()))
