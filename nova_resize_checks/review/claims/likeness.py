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


"""Whether a sentence that became no change still reads as a claim.

A claim is a request (a modal, or an imperative that opens the
sentence) about named code or a line; a description of what code does is
not one.
"""

import re

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.read import prose


def refers(masked, codes):
    """Whether a sentence names code: a line number or a code span."""
    if lexicon.LINE_REF_RE.search(masked):
        return True
    return any(prose.name_of(code) or re.search(r'[(=]', code)
               for code in prose.codes_in(masked, codes))


def claim_like(masked, codes, referred_before=False):
    """Whether a sentence asks for a change to named code.

    A sentence such as "It should be moved" counts when an earlier sentence
    of its block named the code.
    """
    if lexicon.DESCRIPTION_RE.match(masked):
        return False
    if lexicon.FOREIGN_REQUEST_RE.search(
            lexicon.FOREIGN_DESCRIPTION_RE.sub(' ', masked)):
        # A request in another language: the code it names (or the code
        # block it introduces) decides; on its own it is a claim.
        return True
    plain = lexicon.NEGATED_USE.sub(' ', masked)
    if not lexicon.CUE_RE.search(plain):
        return False
    if not (lexicon.REQUEST_RE.search(plain)
            or lexicon.IMPERATIVE_RE.match(plain)):
        # "Before the fix, finish_resize reverted the allocations": a
        # description, not a request.
        return False
    if referred_before and lexicon.ANAPHORA_RE.match(masked):
        return True
    return refers(masked, codes)


def alternatives(masked):
    """Whether a sentence asks for one of two changes, the reader's pick.

    "I'd drop one of them: either the assertEqual on 55 or the one on 60."
    """
    plain = lexicon.NEGATED_USE.sub(' ', masked)
    return bool(lexicon.ALTERNATIVES_RE.search(plain) and
                lexicon.CUE_RE.search(plain) and
                (lexicon.REQUEST_RE.search(plain) or
                 lexicon.IMPERATIVE_RE.match(plain)))
