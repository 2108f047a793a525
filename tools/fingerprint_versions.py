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


"""Fingerprints of the versions of nova's test that reviews quote.

    python tools/fingerprint_versions.py --nova-git /path/to/nova [NAME=REF]

prints, for each version of ``nova/tests/functional/regressions/
test_bug_1825537.py`` named (by default upstream's 2019 recreate commit and
the fix commit), the list of digests the meta-check keeps in
``nova_resize_checks/review/versions/known_versions.py``: one short sha256 per
comparable line (comments, blank lines and whitespace dropped, the 2019
helper dialect brought to today's) for FINGERPRINTS, or with ``--lines``
one per physical line (whitespace collapsed) for LINE_DIGESTS, or with
``--ported-lines`` the same after bringing the line to today's helper
dialect for PORTED_LINE_DIGESTS, or with ``--lengths`` the length of
each physical line for LINE_LENGTHS (where a comment's character range
ends a line).  The
package keeps these digests, not nova's code, so that a review quoting an
old version is recognised as a quotation without the version being
installed.
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from nova_resize_checks.review.versions import quotes  # noqa: E402

PATH = 'nova/tests/functional/regressions/test_bug_1825537.py'
DEFAULTS = ('recreate=f4bb672106', 'fixed=ea297d6ffb')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--nova-git', required=True)
    parser.add_argument('--lines', action='store_true',
                        help='digests of every physical line (whitespace '
                             'collapsed) instead: LINE_DIGESTS')
    parser.add_argument('--ported-lines', action='store_true',
                        help='digests of every physical line brought to '
                             "today's helper dialect (whitespace "
                             'collapsed) instead: PORTED_LINE_DIGESTS')
    parser.add_argument('--lengths', action='store_true',
                        help='the length of every physical line instead: '
                             'LINE_LENGTHS')
    parser.add_argument('versions', nargs='*', default=list(DEFAULTS),
                        metavar='NAME=REF')
    args = parser.parse_args()
    for spec in args.versions:
        name, _, ref = spec.partition('=')
        text = subprocess.run(
            ['git', '-C', args.nova_git, 'show', '%s:%s' % (ref, PATH)],
            check=True, stdout=subprocess.PIPE).stdout.decode()
        if args.lengths:
            lengths = [len(line) for line in text.split('\n')]
            print('    %r: (  # %s' % (name, ref))
            for i in range(0, len(lengths), 12):
                print('        ' + ' '.join('%d,' % n
                                            for n in lengths[i:i + 12]))
            print('    ),')
            continue
        if args.ported_lines:
            digests = [quotes.line_digest(' '.join(
                quotes.port_dialect(line).split()))
                for line in text.split('\n')]
        elif args.lines:
            digests = [quotes.line_digest(' '.join(line.split()))
                       for line in text.split('\n')]
        else:
            digests = [quotes.line_digest(line)
                       for line in quotes.comparable_lines(text)]
        print('    %r: (  # %s' % (name, ref))
        for i in range(0, len(digests), 3):
            print('        ' + ' '.join('%r,' % d for d in digests[i:i + 3]))
        print('    ),')
    return 0


if __name__ == '__main__':
    sys.exit(main())
