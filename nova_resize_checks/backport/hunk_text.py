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


"""Hunk records as text: where each hunk was meant to go, where it landed.

The records are :func:`hunks.locate`'s; the text is what the report and
the reason of a misplaced patch say about them.
"""


def describe(record):
    """One line of text about one hunk record."""
    text = 'hunk #%d of %s (%s)' % (record['hunk'], record['file'],
                                    record['header'])
    if record.get('intended'):
        text += ', meant for %s (from %s)' % (record['intended'],
                                              record['intended_from'])
    if not record['placed']:
        text += ': %s; it landed' % '; '.join(record['problems'])
    else:
        text += ', landed'
    if record.get('landed'):
        text += ' in %s' % record['landed']
    text += ' at line %s' % record['line']
    if record['offset']:
        text += ', %d line%s %s where its header puts it' % (
            abs(record['offset']), 's' if abs(record['offset']) > 1 else '',
            'after' if record['offset'] > 0 else 'before')
    return text


def misplaced(records):
    """Readable reason naming every misplaced hunk, or None."""
    bad = [describe(record) for record in records if not record['placed']]
    return '; '.join(bad) if bad else None
