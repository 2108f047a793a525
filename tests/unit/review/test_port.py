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

"""The reviewed version, and the three-way port of a change onto ours."""

import testtools

from nova_resize_checks.review.read import container
from nova_resize_checks.review.versions import identify
from nova_resize_checks.review.versions import port

# A made-up "upstream" version and ours, which asserts one thing more.
UPSTREAM = '''\
class T(object):
    def test_it(self):
        server = self._boot()
        usages = self._usages('src')
        self.assertEqual({}, usages)
        self.assertOld(server)
'''
OURS = '''\
class T(object):
    def test_it(self):
        server = self._boot()
        usages = self._usages('src')
        self.assertEqual({}, usages)
        # Only ours checks the destination.
        dest = self._usages('dst')
        self.assertEqual({'VCPU': 1}, dest)
'''


def _port(theirs, base=UPSTREAM, ours=OURS, known=()):
    return port.port(port.digests(base), ours, theirs, known)


class TestPort(testtools.TestCase):

    def test_listing_of_the_reviewed_version_changes_nothing(self):
        # The review lists upstream's method (so, applied to ours, the
        # destination checks would go): ported, ours is unchanged.
        theirs = OURS.replace(OURS[OURS.index('        usages'):],
                              UPSTREAM[UPSTREAM.index('        usages'):])
        self.assertEqual(OURS, _port(theirs))

    def test_reformatting_a_listing_changes_nothing(self):
        reformatted = UPSTREAM.replace("self._usages('src')",
                                       "self._usages(\n            'src')")
        theirs = OURS.replace(OURS[OURS.index('        usages'):],
                              reformatted[reformatted.index('        us'):])
        merged = _port(theirs)
        self.assertIn("self.assertEqual({'VCPU': 1}, dest)", merged)
        self.assertNotIn('assertOld', merged)

    def test_a_line_the_review_removed_goes(self):
        theirs = OURS.replace('        self.assertEqual({}, usages)\n', '')
        merged = _port(theirs)
        self.assertNotIn('self.assertEqual({}, usages)', merged)
        self.assertIn("self.assertEqual({'VCPU': 1}, dest)", merged)

    def test_the_reviews_own_line_is_kept_in_its_place(self):
        listing = UPSTREAM.replace(
            '        self.assertEqual({}, usages)\n',
            "        self.assertNotIn('VCPU', usages)\n")
        theirs = OURS.replace(OURS[OURS.index('        usages'):],
                              listing[listing.index('        usages'):])
        merged = _port(theirs)
        lines = merged.splitlines()
        self.assertNotIn('        self.assertEqual({}, usages)', lines)
        self.assertEqual(lines.index("        usages = self._usages('src')")
                         + 1, lines.index(
                             "        self.assertNotIn('VCPU', usages)"))
        self.assertIn("self.assertEqual({'VCPU': 1}, dest)", merged)

    def test_a_line_of_another_known_version_is_drift(self):
        other = "        self.assertOther(server)\n"
        theirs = OURS.replace('        # Only', other + '        # Only')
        known = set(port.digests('class X:\n    def f(self):\n'
                                 '        self.assertOther(server)\n'))
        # ours == base around it: a clean change of the review's, kept.
        self.assertIn('assertOther', _port(theirs, base=OURS, known=known))
        # In a region where ours differs from the reviewed version, a line
        # another version has is not the review's claim.
        listing = UPSTREAM.replace('        self.assertOld(server)\n',
                                   other)
        theirs = OURS.replace(OURS[OURS.index('        usages'):],
                              listing[listing.index('        usages'):])
        self.assertNotIn('assertOther', _port(theirs, known=known))

    def test_a_rename_is_carried_onto_lines_only_ours_has(self):
        ours = OURS.replace("self._usages('dst')", 'self._usages(server)')
        listing = UPSTREAM.replace('server', 'instance')
        theirs = ours.replace(ours[ours.index('        server'):],
                              listing[listing.index('        instance'):])
        merged = _port(theirs, ours=ours)
        self.assertIn('dest = self._usages(instance)', merged)
        self.assertNotIn('assertOld', merged)

    def test_an_unconfirmed_rename_read_by_ours_is_a_conflict(self):
        # One renamed line is not enough to call it a rename; the lines
        # only ours has would read a name nothing binds.
        ours = OURS.replace("self._usages('dst')", 'self._usages(server)')
        listing = UPSTREAM.replace('server = ', 'instance = ').replace(
            '        self.assertOld(server)\n', '')
        theirs = ours.replace(ours[ours.index('        server'):],
                              listing[listing.index('        instance'):])
        self.assertRaises(port.Conflict, _port, theirs, ours=ours)

    def test_renamed_lines_of_the_reviewed_version_are_drift(self):
        listing = UPSTREAM.replace('server', 'instance')
        theirs = OURS.replace(OURS[OURS.index('        server'):],
                              listing[listing.index('        instance'):])
        # The rename is not carried onto ours (no line only ours has reads
        # it), and upstream's renamed assertOld(server) is not added.
        self.assertNotIn('assertOld', _port(theirs))

    def test_a_merge_that_does_not_parse_is_a_conflict(self):
        theirs = OURS.replace('        self.assertEqual({}, usages)\n',
                              '        if usages:\n')
        self.assertRaises(port.Conflict, _port, theirs)

    def test_digests_of_code_that_does_not_tokenize(self):
        self.assertIsNone(port.digests('x = (\n'))


class TestIdentify(testtools.TestCase):

    references = {'test': OURS, 'upstream': UPSTREAM}

    def _identify(self, text, named=None):
        return identify.identify(container.parse_text(text),
                                 self.references, named)

    def test_a_review_quoting_nothing_distinctive_is_of_ours(self):
        found = self._identify('Looks fine to me.\n')
        self.assertEqual('ours', found.name)
        self.assertIn('no line', found.why)

    def test_quoted_upstream_lines_name_upstream(self):
        found = self._identify(
            'The test:\n\n```python\n        self.assertOld(server)\n```\n')
        self.assertEqual('upstream-current', found.name)
        self.assertIn('1 are in the upstream-current version', found.why)

    def test_ours_wins_a_tie(self):
        found = self._identify(
            '```python\n        self.assertOld(server)\n'
            "        dest = self._usages('dst')\n```\n")
        self.assertEqual('ours', found.name)

    def test_the_old_side_of_a_diff_is_the_reviewed_version(self):
        found = self._identify(
            '```diff\n-        self.assertOld(server)\n'
            "+        dest = self._usages('dst')\n```\n")
        self.assertEqual('upstream-current', found.name)

    def test_reviewed_and_named_commits_decide(self):
        references = dict(self.references, reviewed=UPSTREAM)
        found = identify.identify(container.parse_text('x\n'), references)
        self.assertEqual(('reviewed', 'named with --reviewed'),
                         (found.name, found.why))
        found = self._identify('Reviewed at f4bb672106.\n', 'recreate')
        self.assertEqual('recreate', found.name)
        self.assertIn('f4bb672106', found.why)


class TestMergeKeepsAssertions(testtools.TestCase):

    def test_an_assertion_both_sides_keep_survives_the_merge(self):
        ours = 'def f(s):\n    s.assertEqual(1, x)\n    s.assertIn(2, y)\n'
        port.keeps_assertions(ours, ours, ours)
        # The review's side dropped assertIn itself: a real removal.
        port.keeps_assertions(ours, 'def f(s):\n    s.assertEqual(1, x)\n',
                              'def f(s):\n    s.assertEqual(1, x)\n')
        # Both kept assertIn; the merge lost it: a conflict.
        self.assertRaises(port.Conflict, port.keeps_assertions, ours, ours,
                          'def f(s):\n    s.assertEqual(1, x)\n')


class TestRenamedByTheReview(testtools.TestCase):

    def test_a_local_the_review_renames_keeps_its_statements(self):
        # The reviewed version and ours agree on the two lines; the review
        # renames the local.  Both lines are the review's, renamed, and
        # what only ours has stays (before: both lines were lost).
        base = ('class T:\n    def t(self):\n        a = f()\n'
                '        self.assertEqual(1, a)\n')
        ours = ('class T:\n    def t(self):\n        # ours\n'
                '        a = f()\n        self.assertX()\n'
                '        self.assertEqual(1, a)\n')
        theirs = ('class T:\n    def t(self):\n        b = f()\n'
                  '        self.assertEqual(1, b)\n')
        merged = port.port(port.digests(base), ours, theirs)
        self.assertIn('        b = f()\n', merged)
        self.assertIn('        self.assertEqual(1, b)\n', merged)
        self.assertIn('        self.assertX()\n', merged)
        self.assertNotIn('a = f()', merged)
