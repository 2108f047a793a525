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


"""Which side of a change a label names: code as it is, or should be.

One reading for JSON keys (``current_code``, ``suggested_fix``) and table
headers ("Before | After", "Problem | Suggestion") alike.
"""

import re

BEFORE_RE = re.compile(r'\b(?:current|original|before|existing|old|'
                       r'problem(?:atic)?|as is|code)\b', re.I)
AFTER_RE = re.compile(r'\b(?:suggest\w*|propos\w*|fix\w*|after|new|'
                      r'replacement|should be|recommend\w*|instead|'
                      r'better|change to|to be)\b', re.I)


def sides(labels):
    """``(before, after)``: indexes of the labels of old and new code.

    Before labels name code as it is, after labels code as it should be:
    the one reading of a label for JSON keys (``current_code``,
    ``suggested_fix``) and table headers alike; a label that says both
    ("new code") is an after.
    """
    before, after = [], []
    for k, label in enumerate(labels):
        words = label.replace('_', ' ')
        if AFTER_RE.search(words):
            after.append(k)
        elif BEFORE_RE.search(words):
            before.append(k)
    return before, after
