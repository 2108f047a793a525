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


import copy

import testtools

from nova_resize_checks import outcome

SRC = 'source-rp'
DST = 'dest-rp'
F1 = {'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1}
F2 = {'VCPU': 1, 'MEMORY_MB': 2048, 'DISK_GB': 20}
ZERO = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}


def observation(source, dest, instance, migration):
    return {
        'server': {'id': 'srv', 'status': 'ERROR', 'host': 'host2',
                   'fault': 'Virtual Interface creation failed'},
        'migration': {'uuid': 'mig', 'status': 'error'},
        'flavors': {'flavor1': dict(F1), 'flavor2': dict(F2)},
        'providers': {'source': {'host': 'host1', 'uuid': SRC,
                                 'usages': dict(source)},
                      'dest': {'host': 'host2', 'uuid': DST,
                               'usages': dict(dest)}},
        'consumers': {'instance': {'uuid': 'srv', 'allocations': instance},
                      'migration': {'uuid': 'mig',
                                    'allocations': migration}},
    }


# The outcomes measured for fixed nova, the bug and no clean-up at all,
# plus one for each mutant.
FIXED = observation(ZERO, F2, {DST: F2}, {})
AFFECTED = observation(F1, ZERO, {SRC: F1}, {})
NO_CLEANUP = observation(F1, F2, {DST: F2}, {SRC: F1})
DROP_DEST = observation(ZERO, ZERO, {}, {})
OLD_ON_DEST = observation(ZERO, F1, {DST: F1}, {})


class TestClassify(testtools.TestCase):

    def test_fixed(self):
        self.assertEqual((outcome.FIXED, []), outcome.classify(FIXED))

    def test_affected(self):
        verdict, reasons = outcome.classify(AFFECTED)
        self.assertEqual(outcome.AFFECTED, verdict)
        self.assertIn('bug 1825537', reasons[0])

    def test_no_cleanup_is_unexpected_with_reasons(self):
        verdict, reasons = outcome.classify(NO_CLEANUP)
        self.assertEqual(outcome.UNEXPECTED, verdict)
        self.assertIn('source provider holds flavor1, expected none',
                      reasons)
        self.assertIn('migration consumer holds flavor1 on source, '
                      'expected nothing', reasons)

    def test_drop_dest(self):
        verdict, reasons = outcome.classify(DROP_DEST)
        self.assertEqual(outcome.UNEXPECTED, verdict)
        self.assertIn('dest provider holds none, expected flavor2', reasons)

    def test_old_flavor_on_dest(self):
        verdict, reasons = outcome.classify(OLD_ON_DEST)
        self.assertEqual(outcome.UNEXPECTED, verdict)
        self.assertIn('instance consumer holds flavor1 on dest, expected '
                      'flavor2 on dest', reasons)

    def test_affected_requires_the_instance_consumer(self):
        # Old flavor on the source held by the migration is not the bug.
        obs = observation(F1, ZERO, {}, {SRC: F1})
        self.assertEqual(outcome.UNEXPECTED, outcome.classify(obs)[0])

    def test_scenario_not_failing_is_unexpected(self):
        obs = copy.deepcopy(FIXED)
        obs['server']['status'] = 'VERIFY_RESIZE'
        obs['migration']['status'] = 'finished'
        verdict, reasons = outcome.classify(obs)
        self.assertEqual(outcome.UNEXPECTED, verdict)
        self.assertEqual(['server status is VERIFY_RESIZE, expected ERROR',
                          'migration status is finished, expected error'],
                         reasons)

    def test_server_on_wrong_host(self):
        obs = copy.deepcopy(FIXED)
        obs['server']['host'] = 'host1'
        self.assertEqual(
            (outcome.UNEXPECTED, ['server is on host1, expected host2']),
            outcome.classify(obs))

    def test_fault_other_than_the_drivers(self):
        obs = copy.deepcopy(FIXED)
        obs['server']['fault'] = 'Failed to delete allocations'
        verdict, reasons = outcome.classify(obs)
        self.assertEqual(outcome.UNEXPECTED, verdict)
        self.assertIn("server fault is 'Failed to delete allocations'",
                      reasons[0])

    def test_missing_resource_classes_count_as_zero(self):
        obs = copy.deepcopy(FIXED)
        obs['providers']['source']['usages'] = {}
        self.assertEqual(outcome.FIXED, outcome.classify(obs)[0])


class TestNames(testtools.TestCase):

    def test_usage_summary(self):
        self.assertEqual({'source': 'flavor1', 'dest': 'none'},
                         outcome.usage_summary(AFFECTED))
        self.assertEqual({'source': 'flavor1', 'dest': 'flavor2'},
                         outcome.usage_summary(NO_CLEANUP))

    def test_unnamed_amounts(self):
        self.assertEqual(
            '2 VCPU / 2560 MB / 21 GB',
            outcome.name_usage({'VCPU': 2, 'MEMORY_MB': 2560,
                                'DISK_GB': 21}, FIXED['flavors']))
