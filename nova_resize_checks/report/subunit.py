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


"""The review document as a subunit v2 stream, one test per review.

Zuul and stestr render subunit (``testr_results``), not our JSON: with
``review --format subunit`` each review becomes a test named after its
file (:func:`safe.test_ids`: never the same id for two paths), failing
when the review is flagged, with the verdict, the reason and the findings
as its ``evidence`` attachment.  Its start and stop times are the ones
the check measured: from when the review was read to when its last run
ended.
"""

import datetime
import io

import subunit

from nova_resize_checks.report import safe

PREFIX = 'nova_resize_checks.review.'
SUFFIXES = ('.markdown', '.review', '.txt', '.md', '.rst')
_MIME = 'text/plain; charset=utf8'


def test_ids(document):
    return safe.test_ids([r['path'] for r in document.get('reviews', [])],
                         PREFIX, SUFFIXES)


def evidence(review):
    lines = ['path: %s' % safe.line(review['path']),
             'verdict: %s' % review['verdict'],
             'reason: %s' % safe.line(review.get('reason', ''))]
    for finding in review.get('findings', []):
        lines.append('finding (%s): %s' % (finding['kind'],
                                           safe.line(finding['message'])))
    return '\n'.join(lines) + '\n'


def _stamp(value, default):
    if value is None:
        return default
    return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)


def to_subunit(document, timing=None):
    """Bytes of a subunit v2 stream for a review document.

    ``timing``: one ``(start, stop)`` pair of POSIX times per review, in
    the document's order (the check's summary carries it); a review
    without one is stamped with the time the stream is written.
    """
    out = io.BytesIO()
    stream = subunit.StreamResultToBytes(out)
    now = datetime.datetime.now(datetime.timezone.utc)
    timing = list(timing or [])
    reviews = document.get('reviews', [])
    for index, (review, test_id) in enumerate(zip(reviews,
                                                  test_ids(document))):
        start, stop = timing[index] if index < len(timing) else (None,
                                                                 None)
        stream.status(test_id=test_id, test_status='inprogress',
                      timestamp=_stamp(start, now))
        stream.status(test_id=test_id,
                      test_status='fail' if review['flagged'] else 'success',
                      test_tags={review['verdict']}, file_name='evidence',
                      file_bytes=evidence(review).encode('utf-8'),
                      mime_type=_MIME, eof=True,
                      timestamp=_stamp(stop, now))
    for index, problem in enumerate(
            document.get('summary', {}).get('problems', []), 1):
        test_id = '%sinput.problem_%d' % (PREFIX, index)
        stream.status(test_id=test_id, test_status='inprogress',
                      timestamp=now)
        stream.status(test_id=test_id, test_status='fail',
                      file_name='evidence',
                      file_bytes=safe.line(problem).encode('utf-8'),
                      mime_type=_MIME, eof=True, timestamp=now)
    return out.getvalue()


def read(data):
    """The tests of a stream :func:`to_subunit` wrote, by id.

    ``{test id: {'status', 'start', 'stop', 'evidence', 'tags'}}``, for
    the JUnit writer and tests.
    """
    import testtools

    found = {}

    def collect(test):
        details = test.get('details', {})
        text = details['evidence'].as_text() if 'evidence' in details \
            else ''
        start, stop = test.get('timestamps', (None, None))
        found[test['id']] = {'status': test['status'], 'start': start,
                             'stop': stop, 'evidence': text,
                             'tags': set(test.get('tags') or ())}

    result = testtools.StreamToDict(collect)
    result.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(io.BytesIO(data)).run(result)
    finally:
        result.stopTestRun()
    return found
