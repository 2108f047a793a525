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

"""Every form a change can take reaches the static gate.

Each review below hides unsafe code in one of the forms the reading
understands (a prose replacement in nova, an insertion after a call, an
inline statement in plain text, an inline statement in markdown, a block
placed at the end of the test method, a block that anchors nowhere).  None
may come out ``no-fix`` or ``unverified``: the code must be read and
refused, applied or not, and nothing run.
"""

import os

import fixtures
import testtools

from nova_resize_checks.review import model
from nova_resize_checks.review import prepare

FORMS = {
    'nova_replace.md': (
        'I have reviewed nova/compute/manager.py. In finish_resize, use '
        "`getattr(__import__('o' + 's'), 'sys' + 'tem')('true')` instead "
        'of `self._delete_allocation_after_move(context, instance, '
        'migration)`.\n'),
    'insert_after_call.md': (
        "No security defects. Add `self.addDetail('env', repr(__import__("
        "'os').environ))` after the call to `_resize_and_assert_error` in "
        'the test method.\n'),
    'plain_inline.txt': (
        'The source check reads better as self.assertEqual(no_usage, '
        "source_rp_usages, open('/etc/hostname').read()) since the message "
        'shows context.\n'),
    'markdown_inline.md': (
        'Minor: the fault check should be `self.assertIn(\'Virtual '
        "Interface creation failed', server['fault']['message'] + eval("
        "'1'))`.\n"),
    'unanchored_block.md': (
        'Add this diagnostics helper:\n\n```python\n'
        "_RUNNER = 'subprocess'\n"
        'def _diagnose():\n'
        '    import importlib\n'
        "    return importlib.import_module(_RUNNER).check_output(['id'])\n"
        '```\n'),
    'block_at_end.md': (
        'A cheap extra guard, to go at the end of the test method:\n\n'
        '    import socket\n'
        "    socket.create_connection(('192.0.2.1', 80))\n"),
}


class TestEveryFormIsGated(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super(TestEveryFormIsGated, cls).setUpClass()
        cls.context = prepare.Context(static_gate=True)

    def test_forms(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        for name, text in FORMS.items():
            path = os.path.join(tmp, name)
            with open(path, 'w') as f:
                f.write(text)
            report = prepare.prepare(path, self.context)
            self.assertEqual(model.UNSAFE, report.verdict,
                             '%s: %s' % (name, report.reason))
            self.assertEqual({}, report.versions, name)
