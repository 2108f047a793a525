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

"""The README's own steps must not break another command."""

import ast
import configparser
import importlib.metadata
import os
import re
import sys

import testtools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _names(lines):
    found = set()
    for line in lines:
        line = line.split('#', 1)[0].strip()
        match = re.match(r'[A-Za-z0-9_.\-]+', line)
        if match:
            found.add(re.sub(r'[-_.]+', '-', match.group(0)).lower())
    return found


class TestPackaging(testtools.TestCase):

    def _config(self):
        config = configparser.ConfigParser()
        config.read(os.path.join(ROOT, 'setup.cfg'))
        return config

    def test_test_extra_installs_what_the_unit_tests_import(self):
        with open(os.path.join(ROOT, 'requirements.txt')) as f:
            declared = _names(f)
        declared |= _names(self._config()['extras']['test'].splitlines())
        imported = set()
        for root, _dirs, files in os.walk(os.path.join(ROOT, 'tests',
                                                       'unit')):
            for name in files:
                if not name.endswith('.py'):
                    continue
                with open(os.path.join(root, name)) as f:
                    tree = ast.parse(f.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        imported.update(a.name.split('.')[0]
                                        for a in node.names)
                    elif isinstance(node, ast.ImportFrom) and \
                            not node.level and node.module:
                        imported.add(node.module.split('.')[0])
        imported -= set(sys.stdlib_module_names)
        imported -= {'nova_resize_checks', 'tests'}
        dists = importlib.metadata.packages_distributions()
        missing = []
        for module in sorted(imported):
            names = {re.sub(r'[-_.]+', '-', d).lower()
                     for d in dists.get(module, [module])}
            if not names & declared:
                missing.append(module)
        self.assertEqual([], missing)
        self.assertIn('hypothesis', declared)

    def test_the_readme_venv_is_ignored_and_excluded(self):
        with open(os.path.join(ROOT, 'README.rst')) as f:
            self.assertIn('python3 -m venv venv', f.read())
        with open(os.path.join(ROOT, '.gitignore')) as f:
            self.assertIn('venv/', f.read().split())
        config = configparser.ConfigParser()
        config.read(os.path.join(ROOT, 'tox.ini'))
        excluded = config['flake8']['exclude'].split(',')
        self.assertIn('venv', [e.strip() for e in excluded])
