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


"""TEST_FULL: a whole new version of the test replaces it."""

import libcst as cst

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.read import texts


def apply_full(state, change):
    code = change.code or ''
    if not code.strip():
        raise common.Refused('the proposed file is empty')
    if not code.endswith('\n'):
        code += '\n'
    try:
        common.cst_parse(code)
    except cst.ParserSyntaxError as exc:
        raise common.Refused('the proposed file does not parse: %s'
                             % texts.short(str(exc).splitlines()[0], 160))
    except (SyntaxError, ValueError) as exc:
        raise common.Refused('the proposed file does not parse: %s'
                             % texts.short(str(exc), 160))
    if common.normalize(code) == common.normalize(state.test):
        reason = 'replaced the whole test (same code as before)'
    else:
        reason = 'replaced the whole test'
    return code, state.overlay, reason
