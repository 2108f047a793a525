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


"""Where a run failed: one outcome and its evidence from a run's records.

A variant's run reports one record per test (id, status, traceback).
:func:`fold` turns them into the fields of a
:class:`~nova_resize_checks.runs.results.RunResult`: the outcome, the first
failing test, its message and, when the failing line is in the version's
test file, that line and whether it is a placement assertion.
"""

import re

from nova_resize_checks import assertions
from nova_resize_checks.runs import results

_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')
_LIMIT_MARKERS = re.compile(r'^(MemoryError|OSError: \[Errno 27\] File too '
                            r'large|OSError: \[Errno 28\] No space left)',
                            re.M)
_STATUS = {'fail': results.FAIL, 'timeout': results.TIMEOUT}


def last_line(text):
    message = assertions.exception_message(text)
    if message:
        return assertions.first_line(message, 500)
    lines = [line for line in (text or '').splitlines() if line.strip()]
    return lines[-1].strip()[:500] if lines else ''


def fold(records, module_file, source):
    """A dict of RunResult fields for one variant's test records."""
    if not records:
        return {'outcome': results.ERROR, 'evidence': 'no tests ran'}
    bad = [r for r in records if r['status'] != 'pass']
    if not bad:
        return {'outcome': results.PASS}
    first = bad[0]
    status = first['status']
    outcome = _STATUS.get(status, results.ERROR)
    text = first.get('traceback') or ''
    found = {'outcome': outcome, 'failing_test': first['id'],
             'evidence': last_line(text) or status}
    site = assertions.failure_site(text, module_file, source)
    if site is not None:
        found.update(failing_line=site.line, failing_code=site.code,
                     allocation_assertion=site.allocation and
                     outcome == results.FAIL)
        if site.message:
            found['evidence'] = assertions.first_line(
                site.message, 500) or found['evidence']
    if _LIMIT_MARKERS.search(text):
        found['outcome'] = results.LIMIT
    # Placement hands out fresh UUIDs on every run; evidence must not change
    # between runs of the same version.
    found['evidence'] = _UUID.sub('<uuid>', found['evidence'])
    return found
