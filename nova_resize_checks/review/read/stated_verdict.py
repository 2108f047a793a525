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


"""What a review says of itself: whether it claims no defects, and the
CWE ids it names (:func:`review_verdict`, :func:`cwe_ids`).
"""

import re

_NO_DEFECTS_RES = (
    re.compile(
        r'\bno\s+(?:\w+\s+){0,3}?(?:defects?|issues?|vulnerabilit(?:y|ies)|'
        r'problems?|flaws?|weakness(?:es)?|concerns?|risks?)\s+'
        r'(?:\w+\s+){0,3}?(?:detected|found|identified|present|'
        r'discovered|spotted)\b', re.I),
    re.compile(
        r'\b(?:does|do)\s+not\s+(?:contain|have|introduce|appear\s+to\s+'
        r'(?:contain|have))\s+any\s+(?:\w+\s+){0,2}?(?:defects?|issues?|'
        r'vulnerabilit(?:y|ies)|flaws?)\b', re.I),
    re.compile(
        r'\b(?:did|could)\s+not\s+(?:find|detect|identify|spot)\s+any\s+'
        r'(?:\w+\s+){0,2}?(?:defects?|issues?|vulnerabilit(?:y|ies)|'
        r'flaws?|problems?)\b', re.I),
    re.compile(r'\bno\s+defects?\b', re.I),
)
_DEFECTS_RES = (
    re.compile(
        r'\b(?:found|identified|detected|discovered|spotted)\s+'
        r'(?:one|two|three|four|five|several|multiple|some|a|an|the\s+'
        r'following|few|\d+)\s+(?:\w+\s+){0,3}?(?:defects?|issues?|'
        r'vulnerabilit(?:y|ies)|problems?|flaws?|weakness(?:es)?|bugs?)\b',
        re.I),
    re.compile(
        r'\b(?:defects?|vulnerabilit(?:y|ies)|issues?|flaws?)\s+'
        r'(?:was|were|is|are|has\s+been|have\s+been)\s+(?:\w+\s+)?'
        r'(?:found|detected|identified|discovered)\b', re.I),
    re.compile(r'\bdefects?\s+found\b', re.I),
    re.compile(r'\bCWE[-\s]?\d{1,5}\b', re.I),
)
_NEGATION_RE = re.compile(
    r"\b(?:no|not|none|without|zero|nor|never)\b|n't\b", re.I)
_CWE_RE = re.compile(r'\bCWE[-\s]?(\d{1,5})\b', re.I)


def review_verdict(text):
    """True: says no defects; False: reports defects; None: neither.

    When both kinds of statement occur the earliest one wins (reviews open
    with their verdict).
    """
    found = stated(text)
    return None if found is None else found[0]


def stated(text):
    """``(verdict, offset)`` of the statement review_verdict reads, or None."""
    best = None
    for regex, value in ([(r, True) for r in _NO_DEFECTS_RES] +
                         [(r, False) for r in _DEFECTS_RES]):
        for m in regex.finditer(text):
            if not value and _negated(text, m.start()):
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), value)
            break
    return None if best is None else (best[1], best[0])


def _negated(text, pos):
    """Whether a negation precedes ``pos`` in the same sentence."""
    window = text[max(0, pos - 40):pos]
    for stop in ('.', '\n', ';'):
        cut = window.rfind(stop)
        if cut >= 0:
            window = window[cut + 1:]
    return bool(_NEGATION_RE.search(window))


def cwe_ids(text):
    """``('CWE-682', ...)`` in order of first mention."""
    seen = []
    for m in _CWE_RE.finditer(text):
        cwe = 'CWE-%d' % int(m.group(1))
        if cwe not in seen:
            seen.append(cwe)
    return tuple(seen)
