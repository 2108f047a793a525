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


"""The meta-check's verdicts as a subunit v2 stream, one test per review.

Zuul and stestr render subunit (``testr_results``), not our JSON: with
``review --format subunit`` each review becomes a test named after its
file, failing when the review is flagged, with the verdict, the reason
and the findings as its ``evidence`` attachment.  Works from the JSON
document (:func:`report.to_document`), so it follows that format.
"""

import datetime
import io

import subunit

PREFIX = 'nova_resize_checks.review.'


def _test_id(path):
    name = path.replace('\\', '/').rsplit('/', 1)[-1]
    return PREFIX + (''.join(c if c.isalnum() or c in '-_.' else '_'
                             for c in name) or 'review')


def _evidence(review):
    lines = ['verdict: %s' % review['verdict'],
             'reason: %s' % review.get('reason', '')]
    for finding in review.get('findings', []):
        lines.append('finding (%s): %s' % (finding['kind'],
                                           finding['message']))
    return ('\n'.join(lines) + '\n').encode('utf-8', 'replace')


def to_subunit(document):
    """Bytes of a subunit v2 stream for a review JSON document."""
    out = io.BytesIO()
    stream = subunit.StreamResultToBytes(out)
    now = datetime.datetime.now(datetime.timezone.utc)
    seen = {}
    for review in document.get('reviews', []):
        test_id = _test_id(review['path'])
        seen[test_id] = seen.get(test_id, 0) + 1
        if seen[test_id] > 1:
            test_id += '_%d' % seen[test_id]
        stream.status(test_id=test_id, test_status='inprogress',
                      timestamp=now)
        stream.status(test_id=test_id,
                      test_status='fail' if review['flagged'] else 'success',
                      test_tags={review['verdict']}, file_name='evidence',
                      file_bytes=_evidence(review),
                      mime_type='text/plain; charset=utf8', eof=True,
                      timestamp=now)
    for problem in document.get('summary', {}).get('problems', []):
        test_id = PREFIX + 'input'
        stream.status(test_id=test_id, test_status='fail',
                      file_name='evidence',
                      file_bytes=problem.encode('utf-8', 'replace'),
                      mime_type='text/plain; charset=utf8', eof=True,
                      timestamp=now)
    return out.getvalue()
