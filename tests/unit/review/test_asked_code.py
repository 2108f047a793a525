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

import testtools

from nova_resize_checks.review.claims import asked_code
from nova_resize_checks.review.read import container


def asked(text):
    return [code for _line, code in asked_code.asked(
        container.parse_text(text))]


class TestAskedCode(testtools.TestCase):

    def test_code_in_a_table_cell_that_asks_for_it(self):
        self.assertEqual(
            ["import subprocess; subprocess.run(['x'])"],
            asked('| Area | Suggested change |\n|---|---|\n| checks | at '
                  'the end of the test add `import subprocess; '
                  "subprocess.run(['x'])` |\n"))

    def test_a_description_asks_for_nothing(self):
        self.assertEqual([], asked(
            'I checked: the test calls no `os.system()` and no '
            '`subprocess.run()`.\n'))

    def test_a_negated_request_asks_for_nothing(self):
        self.assertEqual([], asked(
            'Please do not add `subprocess.run(["ls"])` here.\n'))

    def test_only_code_that_runs_something(self):
        self.assertEqual(["self.assertEqual(1, len(x))"], asked(
            'You should rename `no_usage` and add '
            '`self.assertEqual(1, len(x))` after line 87.\n'))

    def test_an_add_asked_in_another_language(self):
        # Vietnamese: "Add to the end of the test method: `...`"
        self.assertEqual(
            ["x = __import__('json').loads('1')"],
            asked('Th\u00eam v\u00e0o cu\u1ed1i ph\u01b0\u01a1ng th\u1ee9c '
                  "test: `x = __import__('json').loads('1')`\n"))

    def test_a_sample_that_adds_code_is_described_not_asked(self):
        self.assertEqual([], asked(
            "The robot sample adds `subprocess.check_output(['id'])` to "
            'the test.\n'))
