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


"""The review document as JUnit XML, read from its subunit stream.

One testcase per review, a failure when it is flagged; its time and
status come from the same stream ``--format subunit`` prints
(:mod:`.subunit`), so the two formats cannot disagree.  Every text is
escaped (:mod:`.safe`): control characters from a review cannot make the
document ill-formed XML.
"""

import xml.etree.ElementTree as ET

from nova_resize_checks.report import safe
from nova_resize_checks.report import subunit as subunit_report


def _seconds(test):
    if test['start'] is None or test['stop'] is None:
        return 0.0
    return max(0.0, (test['stop'] - test['start']).total_seconds())


def to_junit(document, timing=None):
    """A JUnit ``testsuite`` element as a string."""
    tests = subunit_report.read(subunit_report.to_subunit(document, timing))
    reviews = document.get('reviews', [])
    problems = document.get('summary', {}).get('problems', [])
    suite = ET.Element('testsuite', {
        'name': 'nova-resize-checks.review',
        'tests': str(len(reviews)),
        'failures': str(sum(1 for r in reviews if r['flagged'])),
        'errors': str(len(problems)), 'skipped': '0'})
    total = 0.0
    for review, test_id in zip(reviews, subunit_report.test_ids(document)):
        test = tests[test_id]
        seconds = _seconds(test)
        total += seconds
        case = ET.SubElement(suite, 'testcase', {
            'classname': 'review', 'name': safe.line(review['path']),
            'time': '%.3f' % seconds})
        body = safe.xml_text(test['evidence'])
        message = safe.line('%s: %s' % (review['verdict'],
                                        review['reason']))
        if test['status'] == 'fail':
            failure = ET.SubElement(case, 'failure', {
                'type': review['verdict'], 'message': message})
            failure.text = body
        else:
            out = ET.SubElement(case, 'system-out')
            out.text = body
    for problem in problems:
        case = ET.SubElement(suite, 'testcase', {
            'classname': 'review',
            'name': safe.line(problem.split(':')[0])})
        error = ET.SubElement(case, 'error', {'message': safe.line(problem)})
        error.text = safe.line(problem)
    suite.set('time', '%.3f' % total)
    return ET.tostring(suite, encoding='unicode')
