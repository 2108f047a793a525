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

"""The parts of legacy_scenario.py that need no nova."""

import configparser
import os

import fixtures
import testtools

from nova_resize_checks.backport import legacy_scenario


class _Old(object):
    def _wait_for_state_change(self, admin_api, server, expected_status,
                               max_retries=10):
        pass


class _New(object):
    def _wait_for_state_change(self, server, expected_status,
                               max_retries=10):
        pass


class TestLegacyScenarioHelpers(testtools.TestCase):

    def test_helper_signatures_are_told_apart(self):
        self.assertEqual(
            ['admin_api', 'server', 'expected_status', 'max_retries'],
            legacy_scenario._parameters(_Old._wait_for_state_change))
        self.assertEqual(['server', 'expected_status', 'max_retries'],
                         legacy_scenario._parameters(
                             _New()._wait_for_state_change))

    def test_flavor_resources_without_nova_helper(self):
        flavor = {'vcpus': 1, 'ram': 2048, 'disk': 20,
                  'OS-FLV-EXT-DATA:ephemeral': 0, 'swap': ''}
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 2048, 'DISK_GB': 20},
                         legacy_scenario._resources(flavor))
        flavor.update({'disk': 0, 'swap': 512})
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 2560},
                         legacy_scenario._resources(flavor))

    def test_paste_ini_found_beside_the_package_or_under_the_prefix(self):
        root = self.useFixture(fixtures.TempDir()).path
        nova_dir = os.path.join(root, 'nova')
        os.makedirs(os.path.join(root, 'etc', 'nova'))
        paste = os.path.join(root, 'etc', 'nova', 'api-paste.ini')
        open(paste, 'w').close()
        self.assertEqual(paste, legacy_scenario.find_paste_ini(nova_dir))
        os.unlink(paste)
        self.useFixture(fixtures.MonkeyPatch('sys.prefix', root + '-none'))
        self.useFixture(fixtures.MonkeyPatch('sys.base_prefix',
                                             root + '-none'))
        self.assertRaises(RuntimeError, legacy_scenario.find_paste_ini,
                          nova_dir)

    def test_written_paste_ini_serves_v21_without_auth(self):
        root = self.useFixture(fixtures.TempDir()).path
        path = legacy_scenario.write_paste_ini(root)
        config = configparser.ConfigParser()
        config.read(path)
        self.assertEqual('compute_v21',
                         config['composite:osapi_compute']['/v2.1'])
        self.assertIn('noauth2', config['composite:compute_v21']['noauth2'])
        self.assertEqual(
            'nova.api.openstack.compute:APIRouterV21.factory',
            config['app:compute_app_v21']['paste.app_factory'])
