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

"""The documentation shows each table once and keeps ``--`` intact."""

import importlib.util
import os
import re

import testtools

from nova_resize_checks import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DOC = os.path.join(ROOT, 'doc', 'source')


def _module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestDocs(testtools.TestCase):

    def test_no_smart_dashes(self):
        conf = _module('nrc_conf', os.path.join(DOC, 'conf.py'))
        self.assertNotIn('D', conf.smartquotes_action)

    def test_every_option_in_the_help_becomes_a_literal(self):
        text = _module('nrc_text', os.path.join(DOC, '_exts', 'nrc_text.py'))
        self.assertEqual('with ``--nova-git DIR`` and ``-v``, not a-b',
                         text.literal_options('with --nova-git DIR and -v, '
                                              'not a-b'))
        parser = cli.build_parser()
        sub = parser._subparsers._group_actions[0]
        for command in sub.choices.values():
            for action in command._actions:
                done = text.literal_options(action.help or '')
                outside = re.sub('``[^`]*``', '', done)
                self.assertNotIn('--', outside, action.help)

    def test_each_table_is_included_once(self):
        with open(os.path.join(ROOT, 'README.rst')) as f:
            readme = f.read()
        pages = {}
        for name in ('meta-check', 'mutants', 'index', 'backport'):
            with open(os.path.join(DOC, 'user', name + '.rst')) as f:
                pages[name] = f.read()

        def included(page):
            found = []
            for start, end in re.findall(
                    r':start-after: (.*)\n\s+:end-before: (.*)\n', page):
                a = readme.index(start) + len(start)
                found.append(readme[a:readme.index(end, a)])
            return '\n'.join(found)
        meta = included(pages['meta-check'])
        self.assertNotIn('.. verdict-table-start', meta)
        self.assertNotIn('``breaks``      yes', meta)
        self.assertIn('nrc-verdicts', pages['meta-check'])
        self.assertEqual(1, included(pages['mutants']).count(
            '.. mutant-table-start'))
        self.assertNotIn('nrc-mutants', pages['mutants'])
        self.assertEqual(1, included(pages['index']).count(
            '130    interrupted'))
