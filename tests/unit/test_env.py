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


import os

import fixtures
import testtools

from nova_resize_checks import env


class TestPasteIni(testtools.TestCase):

    def test_found_for_installed_nova(self):
        path = env.find_api_paste_ini()
        self.assertTrue(os.path.isfile(path))
        self.assertTrue(path.endswith(os.path.join('etc', 'nova',
                                                   'api-paste.ini')))

    def test_answer_is_kept(self):
        first = env.find_api_paste_ini()
        self.useFixture(fixtures.MockPatchObject(
            env, 'paste_ini_candidates', side_effect=AssertionError))
        self.assertEqual(first, env.find_api_paste_ini())

    def test_source_checkout_location_is_first(self):
        # Next to the nova package is where nova's ConfFixture looks; a
        # checkout installed with pip install -e has it there.
        first = env.paste_ini_candidates()[0]
        self.assertEqual(
            os.path.join(os.path.dirname(env._nova_package_dir()),
                         'etc', 'nova', 'api-paste.ini'), first)

    def test_missing_everywhere(self):
        self.useFixture(fixtures.MonkeyPatch(
            'nova_resize_checks.env._PASTE_INI', None))
        self.useFixture(fixtures.MockPatchObject(
            env, 'paste_ini_candidates',
            return_value=['/nonexistent/a.ini', '/nonexistent/b.ini']))
        exc = self.assertRaises(env.EnvironmentProblem,
                                env.find_api_paste_ini)
        self.assertIn('/nonexistent/a.ini', str(exc))
        self.assertIn('api-paste.ini was not found', str(exc))


class TestCheckEnvironment(testtools.TestCase):

    def test_installed_environment_passes(self):
        env.check_environment()

    def _versions(self, **overrides):
        real = env.distribution_version

        def fake(name):
            if name in overrides:
                return overrides[name]
            return real(name)
        self.useFixture(fixtures.MockPatchObject(
            env, 'distribution_version', side_effect=fake))

    def test_nova_missing(self):
        self._versions(nova=None)
        exc = self.assertRaises(env.EnvironmentProblem,
                                env.check_environment)
        self.assertIn('nova is not installed', str(exc))
        self.assertIn('nova-resize-checks[test]', str(exc))

    def test_nova_too_old(self):
        self._versions(nova='19.0.1')
        exc = self.assertRaises(env.EnvironmentProblem,
                                env.check_environment)
        self.assertIn('nova 19.0.1 is too old', str(exc))
        self.assertIn('backport --nova-source', str(exc))

    def test_placement_too_old(self):
        self._versions(**{'openstack-placement': '1.0.0'})
        exc = self.assertRaises(env.EnvironmentProblem,
                                env.check_environment)
        self.assertIn('openstack-placement 1.0.0 is too old', str(exc))

    def test_development_version_is_accepted(self):
        self._versions(nova='not-a-version')
        env.check_environment()

    def test_versions_report(self):
        versions = env.versions()
        self.assertIsNotNone(versions['nova'])
        self.assertIn('python', versions)
